"""The report form by keyboard and on a phone, in Chromium (issue 8, items 1, 3, 5 and 8).

- Tabbing through the whole form, every focused element is on screen, not covered by the sticky
  下書き保存 / 提出する bar (WCAG 2.4.11), and shows a focus ring (2.4.7).
- A refused 提出 starts at a summary that counts the problems and links to each field; the fields
  提出 needs are marked 「必須」 and ``aria-required``.
- 「今」 and 「開始から+30分」 fill the date-time boxes; the boxes are bounded.
- At 390 px nothing scrolls sideways (with 経過 rows) and the 対応例 of a chosen 態様 shows right
  under the 態様, not after the whole form.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from tests.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

#: For the focused element: is it on screen and not hidden under another element (the sticky bar),
#: and does it show a focus indicator (an outline or a box-shadow ring)?
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const r = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const describe = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.name ? "[name=" + el.name + "]" : "")
    + " " + (el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 20);
  const inside = r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
  // The points of the element that can be seen: where the element (or something inside it, or its
  // label) is the top-most thing on the page.
  const points = [[.5, .5], [.1, .1], [.9, .1], [.1, .9], [.9, .9]];
  const seen = points.filter(([fx, fy]) => {
    const x = r.left + r.width * fx, y = r.top + r.height * fy;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) return false;
    const top = document.elementFromPoint(x, y);
    return top && (top === el || el.contains(top) || (top.closest("label") && top.closest("label").control === el));
  }).length;
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const ring = style.boxShadow && style.boxShadow !== "none";
  return {describe, inside, seen, outline, ring, w: r.width, h: r.height};
}"""


def open_form(page_factory, live_server, viewport):
    # Reduced motion: Bootstrap scrolls smoothly otherwise, and where focus comes to rest is what
    # is checked, not a frame of the animation.
    page = page_factory(viewport=viewport, reduced_motion="reduce")
    login(page, live_server, "staff")
    page.goto(f"{live_server.url}/reports/new/")
    return page


def tab_through(page, limit: int = 250) -> list[dict]:
    """Tab from the top of the page until focus leaves the page or comes back to the start."""
    page.locator("body").focus()
    states, first = [], None
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None:
            break
        key = state["describe"]
        if first is None:
            first = key
        elif key == first:
            break
        states.append(state)
    return states


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_every_tab_stop_of_the_report_form_is_visible_and_shows_focus(page_factory, live_server, users, viewport):
    page = open_form(page_factory, live_server, viewport)
    # Two 経過 rows, so the table's controls are tabbed through too.
    page.get_by_role("button", name="＋ 経過を1行追加").click()
    page.locator("details summary").first.click()  # 相手方の情報 open: its fields are stops too
    states = tab_through(page)
    names = [s["describe"] for s in states]
    # The walk reached the end of the form (提出する is the last control of the form).
    assert any("提出する" in n for n in names), names
    assert len(states) > 60, len(states)
    hidden = [s["describe"] for s in states if not s["inside"] or s["seen"] == 0]
    assert not hidden, f"focused but covered or off screen: {hidden}"
    no_ring = [s["describe"] for s in states if not (s["outline"] or s["ring"])]
    assert not no_ring, f"focused without a visible indicator: {no_ring}"


def test_required_fields_are_marked_and_a_refused_submit_starts_at_a_summary(page_factory, live_server, users):
    page = open_form(page_factory, live_server, DESKTOP)
    for field in ("title", "occurred_start", "occurred_end", "channel", "demand", "conduct", "staff_count",
                  "counterpart_count"):
        control = page.locator(f"[name={field}]").first
        assert control.get_attribute("aria-required") == "true", field
        label = page.locator(f"#div_id_{field}")
        assert "必須" in label.inner_text(), field
    assert "必須" in page.locator("#grounds legend").inner_text()
    assert "必須" in page.locator("#div_id_harassment_types").inner_text()

    page.fill("#id_title", "窓口で怒鳴られた")
    with page.expect_navigation():
        page.get_by_role("button", name="提出する").click()
    summary = page.locator("#error-summary")
    links = summary.locator("a")
    count = links.count()
    assert count >= 5
    assert f"入力内容に {count} 件の問題があります" in summary.locator("h2").inner_text()
    # Focus is on the summary, so a screen reader reads it first, and the page starts there.
    assert page.evaluate("document.activeElement.id") == "error-summary"
    # What was typed is still there, and the summary names the field it concerns.
    assert page.input_value("#id_title") == "窓口で怒鳴られた"
    texts = links.all_inner_texts()
    assert any(t.startswith("要求内容：要求内容を入力してください。") for t in texts), texts
    # A link takes focus to its field.
    links.filter(has_text="相手方の言動").first.click()
    assert page.evaluate("document.activeElement.name") == "conduct"
    state = page.evaluate(FOCUS_STATE)
    assert state["inside"] and state["seen"] > 0


def test_date_time_boxes_are_bounded_and_filled_by_one_press(page_factory, live_server, users):
    page = open_form(page_factory, live_server, DESKTOP)
    start = page.locator("#id_occurred_start")
    assert start.get_attribute("min") == "2000-01-01T00:00"
    latest = datetime.strptime(start.get_attribute("max"), "%Y-%m-%dT%H:%M")
    assert latest.date() == (datetime.now().date() + timedelta(days=1)) or latest.date() == datetime.now().date() + timedelta(days=2)

    page.get_by_role("button", name="今：発生日時（開始） に現在の日時を入れる").click()
    began = datetime.strptime(start.input_value(), "%Y-%m-%dT%H:%M")
    assert abs(began - datetime.now()) < timedelta(minutes=2)
    page.get_by_role("button", name="開始から+30分：発生日時（終了） に開始の30分後を入れる").click()
    ended = datetime.strptime(page.input_value("#id_occurred_end"), "%Y-%m-%dT%H:%M")
    assert ended - began == timedelta(minutes=30)
    assert "30分" in page.locator("#duration").inner_text()
    # A 経過 row added later gets its 「今」 too.
    page.get_by_role("button", name="＋ 経過を1行追加").click()
    assert page.locator("#timeline-table .quick-times button").count() == 2


def test_on_a_phone_nothing_scrolls_sideways_and_the_playbook_follows_the_types(page_factory, live_server, users):
    page = open_form(page_factory, live_server, PHONE)
    for _ in range(3):
        page.get_by_role("button", name="＋ 経過を1行追加").click()
    page.get_by_label("3. 暴言型").check()
    width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], width
    inline = page.locator(".playbook-panel .playbook-summary[data-code=verbal_abuse]").filter(visible=True)
    assert inline.count() == 1
    types_bottom = page.locator("#types-field").bounding_box()
    panel = inline.bounding_box()
    timeline = page.locator("#timeline-table").bounding_box()
    # Right after the 態様 (and the 根拠), before the 経過記録 — not after the whole form.
    assert types_bottom["y"] < panel["y"] < timeline["y"]
    # The delete box of a 経過 row says what it does, and is big enough to tap.
    delete = page.locator(".timeline-delete label").first
    assert "この行を削除" in delete.inner_text()
    assert delete.bounding_box()["height"] >= 44


def contrast(rgb_a: str, rgb_b: str) -> float:
    """WCAG contrast ratio of two CSS ``rgb(r, g, b)`` colours."""

    def luminance(rgb: str) -> float:
        numbers = [float(n) for n in re.findall(r"[\d.]+", rgb)]
        alpha = numbers[3] if len(numbers) > 3 else 1.0
        # A translucent colour (Bootstrap's borders are rgba(0, 0, 0, .25)) as seen over white.
        channels = [(alpha * n + (1 - alpha) * 255) / 255 for n in numbers[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(rgb_a), luminance(rgb_b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_checkbox_borders_stand_out_from_the_page(page_factory, live_server, users):
    """WCAG 1.4.11: the edge of an unticked box needs 3:1 against white (Bootstrap's is about 1.3:1)."""
    page = open_form(page_factory, live_server, DESKTOP)
    for selector in ("#id_harassment_types_0", "#id_recording_started", "#id_ground_unreasonable_demand"):
        border = page.eval_on_selector(selector, "e => getComputedStyle(e).borderTopColor")
        assert contrast(border, "rgb(255, 255, 255)") >= 3, (selector, border)
