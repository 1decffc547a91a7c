"""JIS X 8341-3:2016 (WCAG 2.1) level AA, checked on every page of the product as every demo role,
in Debian's Chromium at 1366×900 and at 390×844 (a phone).

On each page listed in ``tests/e2e/pages.py`` (as each role that may open it) axe-core — from the
pinned ``axe-playwright-python`` package, never a CDN — runs the WCAG 2.0/2.1 A and AA rules; any
serious or critical violation fails. At 390 px no page may scroll sideways, and two different pages
never share a title, and the browser reports no Content-Security-Policy violation (a blocked inline
style or script) while a page loads. One more test walks the menu with the keyboard and checks the
focus ring.

Every run writes its results to ``var/accessibility/results.json``; with ``A11Y_RECORD=1`` a
complete run also writes ``kasuhara/accessibility_results.json``, from which the product's
「ウェブアクセシビリティ方針」 page and the README's accessibility section are made
(``python manage.py accessibility_report --write``).
"""

from __future__ import annotations

import fcntl
import importlib.util
import io
import json
import os
import shutil
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from kasuhara import accessibility
from tests.e2e.pages import ANONYMOUS, PAGES, ROLES, pages_for, prepare_demo
from tests.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: name: (width, height)
VIEWPORTS = {"1366": (1366, 900), "390": (390, 844)}
FAILING = accessibility.FAILING_IMPACTS
IMPACTS = ("critical", "serious", "moderate", "minor")
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": list(accessibility.AXE_TAGS)},
    "resultTypes": ["violations"],
}
RESULTS_DIR = Path(settings.VAR_DIR) / "accessibility"


def axe_source() -> Path:
    spec = importlib.util.find_spec("axe_playwright_python")
    assert spec and spec.origin, "axe-playwright-python (requirements-dev.txt) is not installed"
    return Path(spec.origin).parent / "axe.min.js"


@pytest.fixture(scope="session")
def run_id(request) -> str:
    """One id for the whole run, shared by the xdist workers (their parts are merged by it)."""
    workerinput = getattr(request.config, "workerinput", None)
    return workerinput["testrunuid"] if workerinput else uuid.uuid4().hex


#: The page's markup as axe reads it, as a SHA-256: the whole document after its scripts ran, less
#: what differs between two signed-in users without changing the markup's shape (the CSRF token, the
#: signed-in name in the menu bar). Two visits with the same fingerprint at the same screen size get
#: the same axe result, so axe runs once per distinct page (the manual as 11 roles is ~4 markups).
FINGERPRINT = """async () => {
  const copy = document.documentElement.cloneNode(true);
  copy.querySelectorAll("input[name=csrfmiddlewaretoken]").forEach(e => e.removeAttribute("value"));
  copy.querySelectorAll(".navbar-text").forEach(e => { e.textContent = ""; });
  const bytes = new TextEncoder().encode(copy.outerHTML);
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, "0")).join("");
}"""


def run_axe(page, seen: dict) -> dict:
    """axe's violations for the page as it is now, from ``seen`` when the same markup was checked."""
    key = page.evaluate(FINGERPRINT)
    if key not in seen:
        seen[key] = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
    return seen[key]


def settle(page) -> None:
    """Two animation frames: the layout of a new screen size is done."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def check_page(page, base_url: str, entry, seen: dict, csp: list[str] | None = None) -> dict[str, tuple[dict, list[str]]]:
    """Open one page and run axe on it at each screen size (the window is resized, as a person turning
    a tablet or narrowing a window would; the page is not loaded twice): per screen size, the result
    row and every problem found, in words. ``csp`` collects the browser's Content-Security-Policy
    complaints (``check_role``); any while the page loads fails it."""
    if csp is not None:
        csp.clear()
    first = next(iter(VIEWPORTS))
    width, height = VIEWPORTS[first]
    page.set_viewport_size({"width": width, "height": height})
    response = page.goto(base_url + entry.url())
    status = response.status if response else 0
    if entry.then:  # the page meant is the answer to what this does on the page opened
        status = entry.then(page)
    title = page.title()
    found = {}
    for viewport, (width, height) in VIEWPORTS.items():
        notes: list[str] = []  # what fails the page besides axe's rules (short, for the results)
        problems: list[str] = []
        if status != entry.status:
            notes.append(f"answered {status}, not {entry.status}")
            problems.append(f"answered {status}, expected {entry.status} (at {page.url})")
        if csp:
            notes.append("Content-Security-Policy violation")
            problems += [f"CSP: {message[:200]}" for message in csp]
        if viewport != first:
            page.set_viewport_size({"width": width, "height": height})
            settle(page)
        counts = dict.fromkeys(IMPACTS, 0)
        details = []
        for violation in run_axe(page, seen[viewport]):
            impact = violation.get("impact") or "minor"
            counts[impact] += len(violation["nodes"])
            if impact in FAILING:
                for node in violation["nodes"]:
                    target = " ".join(str(t) for t in node["target"])
                    snippet = " ".join(node["html"].split())[:160]
                    details.append({"rule": violation["id"], "impact": impact, "target": target, "html": snippet})
                    problems.append(f"{violation['id']} [{impact}] {target} — {snippet}")
        overflow = False
        if viewport == "390":
            scroll_width, window_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            overflow = scroll_width > window_width
            if overflow:
                notes.append("scrolls sideways")
                problems.append(f"scrolls sideways: {scroll_width} px wide in a {window_width} px window")
        row = {
            "page": entry.name, "viewport": viewport, "status": status, "title": title, "violations": counts,
            "overflow": overflow, "passed": not problems, "details": details, "problems": notes,
        }
        found[viewport] = (row, problems)
    return found


def signed_in_context(browser, live_server, role: str, viewport: str):
    """A browser context at that screen size, signed in as the demo user (by session cookie: the
    sign-in form is a page of its own, checked as ``anonymous``), with axe-core loaded in every page."""
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": width, "height": height})
    context.add_init_script(path=str(axe_source()))
    if role != ANONYMOUS:
        from django.test import Client

        from organization.models import User

        client = Client()
        client.force_login(User.objects.get(username=role))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def check_role(browser, live_server, role: str, seen: dict) -> tuple[dict[str, list[dict]], list[str], str]:
    """Every page of the role at every screen size, in one browser context: rows by screen size,
    problems, axe version. ``seen``: axe results by screen size and page fingerprint (shared by the
    roles of a group)."""
    context = signed_in_context(browser, live_server, role, next(iter(VIEWPORTS)))
    page = context.new_page()
    page.set_default_timeout(15_000)
    csp: list[str] = []
    page.on("console", lambda message: csp.append(message.text) if "Content Security Policy" in message.text else None)
    rows: dict[str, list[dict]] = {viewport: [] for viewport in VIEWPORTS}
    failures, titles = [], {}
    try:
        for entry in pages_for(role):
            try:
                found = check_page(page, live_server.url, entry, seen, csp)
            except Exception as error:  # noqa: BLE001 - one broken page must not hide the others
                problem = f"could not be checked: {str(error).splitlines()[0]}"
                found = {viewport: ({"page": entry.name, "viewport": viewport, "status": 0, "title": "",
                                     "overflow": False, "violations": dict.fromkeys(IMPACTS, 0), "passed": False,
                                     "details": [], "problems": ["could not be checked"]}, [problem])
                         for viewport in VIEWPORTS}
            for viewport, (row, problems) in found.items():
                row["role"] = role
                rows[viewport].append(row)
                failures += [f"{entry.name} at {viewport} px: {p}" for p in problems]
            title = found[next(iter(VIEWPORTS))][0]["title"]
            if title:
                titles.setdefault(title, set()).add(entry.title_group)
        axe_version = page.evaluate("axe.version")
    finally:
        context.close()
    for title, groups in titles.items():
        if len(groups) > 1:
            failures.append(f"the same title 「{title}」 on different pages: {'、'.join(sorted(groups))}")
            for row in (row for viewport_rows in rows.values() for row in viewport_rows):
                if row["title"] == title:
                    row["passed"] = False
                    row["problems"].append("title shared with another page")
    return rows, failures, axe_version


#: The roles are checked in this many groups of about equal work (one per xdist worker): the demo
#: is loaded once per group, not once per role, which was most of the run's time.
SHARDS = 2


def shards() -> list[tuple[str, ...]]:
    """The roles split into ``SHARDS`` groups with about as many page views each (largest first)."""
    groups: list[list[str]] = [[] for _ in range(SHARDS)]
    load = [0] * SHARDS
    for role in sorted(ROLES, key=lambda r: -len(pages_for(r))):
        lightest = load.index(min(load))
        groups[lightest].append(role)
        load[lightest] += len(pages_for(role))
    return [tuple(group) for group in groups]


@pytest.mark.parametrize("roles", shards(), ids=lambda roles: "+".join(roles))
def test_every_page_meets_jis_x_8341_3_aa(browser, live_server, roles, run_id):
    """As each role of the group, at each screen size (one browser context each), every page the
    role may open."""
    call_command("load_demo", stdout=io.StringIO())
    prepare_demo()
    failures = []
    seen: dict[str, dict] = {viewport: {} for viewport in VIEWPORTS}
    for role in roles:
        rows, problems, axe_version = check_role(browser, live_server, role, seen)
        for viewport, viewport_rows in rows.items():
            record(run_id, role, viewport, viewport_rows, axe_version=axe_version, browser_version=browser.version)
        failures += [f"{role} — {problem}" for problem in problems]
    assert not failures, "\n".join(failures)


def test_the_menu_can_be_used_with_the_keyboard_and_shows_where_the_focus_is(browser, live_server, users):
    """Tab from the top: first 「本文へ移動」, then the menu's links and ログアウト, each with a ring
    that stands out from the bar (at least 3:1, WCAG 1.4.11); on a phone the menu button opens
    the menu from the keyboard."""
    context = browser.new_context(locale="ja-JP", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        login(page, live_server, "desk")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == "本文へ移動"
        assert page.evaluate("document.activeElement.getBoundingClientRect().height") > 0  # shown when focused
        seen = []
        for _ in range(14):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUS_RING)
            if not focused["inNav"]:
                break
            seen.append(focused["text"])
            assert focused["ringContrast"] >= 3, focused
        assert "受付キュー" in seen and "ログアウト" in seen, seen

        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(live_server.url + "/")
        toggler = page.locator(".navbar-toggler")
        toggler.focus()
        assert page.evaluate(FOCUS_RING)["ringContrast"] >= 3
        page.keyboard.press("Enter")
        page.locator("#nav .nav-link", has_text="受付キュー").wait_for(state="visible")
    finally:
        context.close()


#: The focused element, whether it is in the menu bar, and the contrast of its focus ring (outline
#: or box-shadow colour) against the bar behind it.
FOCUS_RING = """() => {
  const el = document.activeElement, nav = el.closest('nav.navbar');
  const style = getComputedStyle(el);
  const rgb = c => (c.match(/[\\d.]+/g) || []).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
                              return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  let ring = null;
  if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) ring = rgb(style.outlineColor);
  else if (style.boxShadow && style.boxShadow !== 'none') ring = rgb(style.boxShadow);
  const bar = nav ? rgb(getComputedStyle(nav).backgroundColor) : [255, 255, 255];
  return {text: el.textContent.trim(), inNav: !!nav, ringContrast: ring && (ring[3] === undefined || ring[3] > 0.9) ? ratio(ring, bar) : 0};
}"""


# -- results -------------------------------------------------------------------------------------------

def record(run_id: str, role: str, viewport: str, rows: list[dict], *, axe_version: str, browser_version: str) -> None:
    """Write this role × viewport's rows, then merge every part of this run into the results (the
    xdist workers share the run's folder; another run at the same time has a folder of its own)."""
    parts = RESULTS_DIR / "runs" / run_id
    parts.mkdir(parents=True, exist_ok=True)
    part = {"role": role, "viewport": viewport, "axe_version": axe_version,
            "browser": f"Chromium {browser_version}", "rows": rows}
    (parts / f"{role}-{viewport}.json").write_text(json.dumps(part, ensure_ascii=False), encoding="utf-8")
    with open(RESULTS_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        merged = merge(parts)
        write_json(RESULTS_DIR / "results.json", merged)
        if merged["complete"] and os.environ.get("A11Y_RECORD"):
            write_json(accessibility.RESULTS_FILE, merged)
        for old in (RESULTS_DIR / "runs").iterdir():  # earlier runs' parts, after a day
            if time.time() - old.stat().st_mtime > 86_400:
                shutil.rmtree(old, ignore_errors=True)


def merge(parts: Path) -> dict:
    found = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(parts.glob("*.json"))]
    order = {page.name: i for i, page in enumerate(PAGES)}
    rows = sorted(
        (row for part in found for row in part["rows"]),
        key=lambda r: (order.get(r["page"], len(order)), ROLES.index(r["role"]), list(VIEWPORTS).index(r["viewport"])),
    )
    done = {(p["role"], p["viewport"]) for p in found}
    return {
        "date": timezone.localdate().isoformat(),
        "standard": "JIS X 8341-3:2016",
        "level": "AA",
        "axe_version": found[-1]["axe_version"] if found else "",
        "browser": found[-1]["browser"] if found else "",
        "tags": list(accessibility.AXE_TAGS),
        "viewports": [list(v) for v in VIEWPORTS.values()],
        "roles": list(ROLES),
        "complete": done == {(r, v) for r in ROLES for v in VIEWPORTS},
        "results": rows,
    }


def write_json(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    # One result per line, so a new recording reads as a diff of the pages that changed.
    head = {key: value for key, value in document.items() if key != "results"}
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ', "results": [']
    lines += [json.dumps(row, ensure_ascii=False) + "," for row in document["results"]]
    if document["results"]:
        lines[-1] = lines[-1][:-1]
    lines.append("]}")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    temporary.replace(path)
