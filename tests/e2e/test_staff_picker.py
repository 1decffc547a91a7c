"""The 対応職員 picker in a real browser (Debian's Chromium through Playwright), issue 8 item 7:
a staff member adds colleagues by keyboard alone — part of a 課 or a name, ↓, Enter — without the
form being sent, the reporter stays chosen, a colleague is removed by keyboard, a screen reader is
told each change, and the draft saves exactly those people. On a phone nothing scrolls sideways,
every target is at least 44 × 44 px and the text is readable. Without JavaScript the boxes work.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from incidents.models import IncidentReport
from organization.models import Section, User
from tests.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEARCH = "名前・課で探して追加"

#: WCAG contrast of an element's text against the first opaque background behind it.
CONTRAST = """el => {
  const parse = c => { const p = c.match(/[\\d.]+/g).map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  let node = el, back = {r: 255, g: 255, b: 255, a: 1};
  while (node) { const c = parse(getComputedStyle(node).backgroundColor); if (c.a > 0) { back = c; break; } node = node.parentElement; }
  const fore = parse(getComputedStyle(el).color);
  const mix = k => fore[k] * fore.a + back[k] * (1 - fore.a);
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                      return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const a = lum({r: mix("r"), g: mix("g"), b: mix("b")}), b = lum(back);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.fixture
def dx_colleague(users):
    """Someone of a 課 whose name the city wrote in full-width letters (ＤＸ推進課)."""
    section = Section.objects.create(department=users["desk"].section.department, name="ＤＸ推進課", order=9)
    return User.objects.create(username="dx", display_name="電子 次郎", section=section)


def chip_names(page) -> list[str]:
    return page.locator("#id_staff_members .staff-chip-name").all_inner_texts()


def focused(page, attribute: str) -> str | None:
    return page.evaluate(f"document.activeElement.getAttribute('{attribute}')")


def test_colleagues_are_added_and_removed_by_keyboard_and_the_draft_keeps_exactly_them(
    page_factory, live_server, users, dx_colleague
):
    page = page_factory(viewport={"width": 1280, "height": 900})
    login(page, live_server, "staff")
    page.goto(f"{live_server.url}/reports/new/")
    search = page.get_by_role("combobox", name=SEARCH)
    status = page.locator("#id_staff_members [role=status]")

    # The reporter is chosen from the start; the boxes of the page without JavaScript are hidden.
    assert chip_names(page) == ["窓口 花子"]
    assert not page.locator("#id_staff_members [data-staff-boxes]").is_visible()

    # Part of a 課, typed half-width for a 課 written full-width; ↓ then Enter adds the person.
    search.focus()
    page.keyboard.type("dx")
    assert search.get_attribute("aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    option = page.locator(f"#{search.get_attribute('aria-activedescendant')}")
    assert option.get_attribute("role") == "option" and option.get_attribute("aria-selected") == "true"
    assert "電子 次郎" in option.inner_text() and "ＤＸ推進課" in option.inner_text()
    page.keyboard.press("Enter")
    assert chip_names(page) == ["窓口 花子", "電子 次郎"]
    expect(status).to_have_text("電子 次郎 を追加しました。")
    assert search.get_attribute("aria-expanded") == "false" and search.input_value() == ""
    assert focused(page, "role") == "combobox"
    # Enter did not send the form.
    page.wait_for_timeout(300)
    assert page.url.endswith("/reports/new/") and not IncidentReport.objects.exists()

    # Part of a name, with a full-width space as a Japanese keyboard types it.
    page.keyboard.type("福祉　太")
    page.keyboard.press("ArrowDown")
    assert page.locator(f"#{search.get_attribute('aria-activedescendant')}").inner_text().startswith("福祉 太郎")
    page.keyboard.press("Enter")
    assert chip_names(page) == ["窓口 花子", "電子 次郎", "福祉 太郎"]
    expect(status).to_have_text("福祉 太郎 を追加しました。")

    # Esc closes the candidates and adds no one; a second Esc empties the box.
    page.keyboard.type("市民")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    assert search.get_attribute("aria-expanded") == "false"
    assert search.input_value() == "市民"
    page.keyboard.press("Escape")
    assert search.input_value() == ""
    assert chip_names(page) == ["窓口 花子", "電子 次郎", "福祉 太郎"]

    # Tab reaches each person's 削除, named after them; Enter removes, focus stays in the list.
    page.keyboard.press("Tab")
    assert focused(page, "aria-label") == "窓口 花子 を削除"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page, "aria-label") == "福祉 太郎 を削除"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # focus is seen
    page.keyboard.press("Enter")
    assert chip_names(page) == ["窓口 花子", "電子 次郎"]
    assert focused(page, "aria-label") == "電子 次郎 を削除"
    expect(status).to_have_text("福祉 太郎 を対応職員から削除しました。")

    # Saved as a draft (by keyboard too): exactly the reporter and the one colleague.
    page.get_by_role("button", name="下書き保存").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/reports/*/edit/")
    report = IncidentReport.objects.get()
    assert set(report.staff_members.all()) == {users["staff"], dx_colleague}
    assert chip_names(page) == ["窓口 花子", "電子 次郎"]

    assert page.outside_requests == [], page.outside_requests


def test_on_a_phone_the_picker_fits_its_targets_are_large_and_its_text_is_readable(
    page_factory, live_server, users, dx_colleague
):
    User.objects.create(username="long", display_name="長谷川 ながいなまえのしょくいん 花子", section=users["staff"].section)
    page = page_factory(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2)
    login(page, live_server, "staff")
    page.goto(f"{live_server.url}/reports/new/")
    search = page.get_by_role("combobox", name=SEARCH)

    search.tap()
    page.keyboard.type("長谷川")
    option = page.get_by_role("option", name="長谷川")
    box = option.bounding_box()
    assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert option.evaluate(CONTRAST) >= 4.5
    option.tap()
    search.tap()
    page.keyboard.type("ｄｘ")  # full-width this time
    page.keyboard.press("ArrowDown")
    active = page.locator(f"#{search.get_attribute('aria-activedescendant')}")
    assert active.evaluate(CONTRAST) >= 4.5
    assert active.locator(".staff-picker-option-section").evaluate(CONTRAST) >= 4.5
    page.keyboard.press("Enter")
    assert chip_names(page) == ["窓口 花子", "長谷川 ながいなまえのしょくいん 花子", "電子 次郎"]

    # Nothing wider than the screen, the page included.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    picker = page.locator("#id_staff_members").bounding_box()
    assert picker["x"] >= 0 and picker["x"] + picker["width"] <= 390
    for chip in page.locator("#id_staff_members .staff-chip").all():
        b = chip.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 390
    # Every target at least 44 × 44 px.
    assert search.bounding_box()["height"] >= 44
    for button in page.locator("#id_staff_members .staff-chip-remove").all():
        b = button.bounding_box()
        assert b["width"] >= 44 and b["height"] >= 44
    # Text at 4.5:1 or more: names, 課, the reporter mark, 削除, the hint.
    for selector in (".staff-chip-name", ".staff-chip-section", ".staff-chip-tag", ".staff-chip-remove",
                     "#id_staff_members_hint", "#id_staff_members_chosen_label"):
        for element in page.locator(f"#id_staff_members {selector}").all():
            assert element.evaluate(CONTRAST) >= 4.5, selector

    # A tap on 削除 removes the person.
    page.get_by_role("button", name="電子 次郎 を削除").tap()
    assert chip_names(page) == ["窓口 花子", "長谷川 ながいなまえのしょくいん 花子"]
    assert page.outside_requests == [], page.outside_requests


def test_without_javascript_the_boxes_grouped_by_section_do_the_same_job(page_factory, live_server, users):
    page = page_factory(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    login(page, live_server, "staff")
    page.goto(f"{live_server.url}/reports/new/")

    groups = page.locator("#id_staff_members legend").all_inner_texts()
    assert groups[0] == "市民環境部 市民課 （あなたの課）"
    assert page.get_by_role("checkbox", name="窓口 花子").is_checked()
    assert not page.get_by_role("combobox", name=SEARCH).count()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("checkbox", name="福祉 太郎").check()
    page.get_by_role("button", name="下書き保存").click()
    page.wait_for_url("**/reports/*/edit/")

    assert set(IncidentReport.objects.get().staff_members.all()) == {users["staff"], users["staff2"]}
