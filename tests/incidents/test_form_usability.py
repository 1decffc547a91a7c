"""The report form says what 提出 needs and where each problem is (issue 8, items 3 and 8): 「必須」
marks and ``aria-required`` on the fields 提出 requires, an error summary whose every link leads to
a field of the page, bounded date-time boxes, and a message for a date that says what is expected."""

from __future__ import annotations

import re

from incidents.forms import REQUIRED_ON_SUBMIT
from tests.incidents.conftest import timeline_rows
from tests.incidents.html import Page


def summary_links(page: Page) -> list[tuple[str, str]]:
    summary = page.by_id("error-summary")
    assert summary is not None, "no error summary"
    return [(a.attrs["href"], a.text) for a in summary.find_all("a")]


def test_the_fields_submit_needs_are_marked_required(staff_client):
    html = staff_client.get("/reports/new/").content.decode()
    page = Page(html.encode())
    for name in REQUIRED_ON_SUBMIT:
        wrapper = page.by_id(f"div_id_{name}")
        assert wrapper is not None, name
        assert "必須" in wrapper.text, name
    for name in ("title", "occurred_start", "occurred_end", "channel", "demand", "conduct", "staff_count",
                 "counterpart_count"):
        assert re.search(rf'<(input|select|textarea)[^>]*name="{name}"[^>]*aria-required="true"', html), name
    # Optional fields are not marked.
    assert "必須" not in page.by_id("div_id_place").text
    assert "必須" not in page.by_id("div_id_remarks").text


def test_a_refused_submit_lists_every_problem_with_a_link_to_its_field(staff_client, report_data):
    data = report_data(title="", demand="", conduct="", counterpart_count="0",
                       timeline=[{"at": "", "kind": "warning", "description": "警告した"}])
    response = staff_client.post("/reports/new/", data)
    assert response.status_code == 400
    page = Page(response.content)
    links = summary_links(page)
    texts = [text for _, text in links]
    assert "件名：件名を入力してください。" in texts
    assert "要求内容：要求内容を入力してください。" in texts
    assert "相手方の人数：相手方の人数は1以上にしてください。" in texts
    assert "経過記録 1 行目・時刻：時刻を入力してください。" in texts
    assert f"入力内容に {len(links)} 件の問題があります" in page.by_id("error-summary").text
    # Every link leads to an element of the page, and every error beside a field is in the summary.
    for href, _text in links:
        assert href.startswith("#") and page.by_id(href[1:]) is not None, href
    beside_fields = page.root.find_all(class_="invalid-feedback")
    assert len(links) >= len(beside_fields) > 0


def test_a_saved_draft_shows_no_summary(staff_client):
    response = staff_client.post("/reports/new/", {"action": "save", "title": "書きかけ", **timeline_rows([])}, follow=True)
    assert response.status_code == 200
    assert Page(response.content).by_id("error-summary") is None


def test_a_date_that_cannot_be_read_gets_a_message_naming_the_expected_form(staff_client, report_data):
    response = staff_client.post("/reports/new/", report_data(action="save", occurred_start="61123-01-01T10:00"))
    assert response.status_code == 400
    text = Page(response.content).by_id("div_id_occurred_start").text
    assert "「2025-06-18 14:05」のように、年-月-日 時:分 の形で入力してください" in text


def test_date_time_boxes_are_bounded(staff_client):
    html = staff_client.get("/reports/new/").content.decode()
    for name in ("occurred_start", "occurred_end", "police_called_at"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'min="2000-01-01T00:00"' in tag, tag
        assert re.search(r'max="20\d\d-\d\d-\d\dT23:59"', tag), tag
