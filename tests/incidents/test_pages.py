"""The pages around a report: 私の連絡票, the detail page, the A4 print view, and 和暦 dates."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from incidents.lifecycle import Status
from incidents.models import IncidentReport
from kasuhara.wareki import format_duration, wareki, wareki_with_western
from tests.incidents.html import Page


def listed(response) -> list[tuple[int, str, str]]:
    """(No., 件名, 状態) of each row of a report list."""
    rows = [row.find_all("td") for row in Page(response.content).find_all("tr")]
    return [(int(cells[0].text), cells[1].text, cells[-1].text) for cells in rows if cells]


def test_my_reports_lists_my_drafts_and_submitted_reports_newest_first_20_a_page(client, users, make_report):
    staff = users["staff"]
    make_report(users["staff2"], title="staff2 の報告")
    make_report(users["chief"], title="同じ課の課長の報告")
    # Created in a shuffled order, so the newest is not simply the last row inserted.
    ages = list(range(25))
    random.Random(7).shuffle(ages)
    mine = {}
    for days_ago in ages:
        status = Status.DRAFT if days_ago % 3 == 0 else Status.SUBMITTED
        report = make_report(staff, status=status, title=f"{days_ago}日前の件")
        IncidentReport.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
        mine[days_ago] = report
    client.force_login(staff)

    first = listed(client.get("/reports/"))
    second = listed(client.get("/reports/?page=2"))

    expected = [
        (mine[d].pk, f"{d}日前の件", "下書き" if d % 3 == 0 else "提出済み") for d in range(25)
    ]
    assert first == expected[:20]
    assert second == expected[20:]
    assert "1 / 2" in Page(client.get("/reports/").content).root.text


def test_a_draft_in_my_list_opens_for_editing_and_a_submitted_one_for_reading(client, users, make_report):
    draft = make_report(users["staff"], status=Status.DRAFT, title="書きかけ")
    submitted = make_report(users["staff"], title="提出した件")
    client.force_login(users["staff"])

    links = dict((text, href) for href, text in Page(client.get("/reports/").content).links())

    assert links["書きかけ"] == f"/reports/{draft.pk}/edit/"
    assert links["提出した件"] == f"/reports/{submitted.pk}/"


def test_the_print_view_gives_dates_in_wareki_and_western_form_and_the_duration(client, users, make_report):
    # conftest's sample incident: 2025-06-18 08:30–09:55 JST (still 17 June in UTC).
    report = make_report(users["staff"], submitted_at=datetime(2025, 6, 18, 3, 0, tzinfo=UTC))
    client.force_login(users["staff"])

    text = Page(client.get(f"/reports/{report.pk}/print/").content).root.text

    assert "令和7年6月18日 (2025-06-18) 08:30 〜 令和7年6月18日 (2025-06-18) 09:55" in text
    assert "対応時間 1時間25分" in text
    assert "提出日：令和7年6月18日 (2025-06-18)" in text
    assert "カスタマーハラスメント発生連絡票" in text
    assert "2025-06-17" not in text


def test_the_detail_page_links_each_chosen_type_to_its_manual_page(client, users, make_report, types):
    report = make_report(users["staff"], type_codes=("intimidation", "verbal_abuse"))
    client.force_login(users["staff"])

    links = Page(client.get(f"/reports/{report.pk}/").content).links()

    for code in ("intimidation", "verbal_abuse"):
        assert (f"/manual/types/{code}/", types[code].name) in links
    assert not any(href == f"/manual/types/{code}/" for href, _ in links for code in ("long_detention", "repeat"))


# -- 和暦 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2025, 6, 18), "令和7年6月18日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
    ],
)
def test_wareki(day, expected):
    assert wareki(day) == expected


def test_wareki_with_western_date():
    assert wareki_with_western(date(2025, 6, 18)) == "令和7年6月18日 (2025-06-18)"


def test_wareki_of_a_moment_uses_the_japanese_calendar_day():
    # 15:30 UTC on 30 April 2019 is already 00:30 on 1 May in Japan: the first day of 令和.
    moment = datetime(2019, 4, 30, 15, 30, tzinfo=UTC)
    assert wareki_with_western(moment) == "令和元年5月1日 (2019-05-01)"


@pytest.mark.parametrize(
    ("minutes", "expected"), [(85, "1時間25分"), (45, "45分")]
)
def test_durations_read_in_hours_and_minutes(minutes, expected):
    assert format_duration(timedelta(minutes=minutes)) == expected


def _queries_to_open(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["/reports/{pk}/", "/reports/{pk}/?history=all", "/reports/{pk}/print/",
                                  "/reports/?scope=visible"])
def test_a_bigger_report_or_list_costs_no_more_queries(client, users, make_report, make_attachment, page):
    """Pages stay fast as reports grow: the number of queries does not follow the number of 経過
    rows, 対応職員, 態様, attachments or reports (no query per row)."""
    from incidents.models import TimelineEntry

    client.force_login(users["desk"])
    small = make_report(users["staff"])
    big = make_report(users["staff"], staff=[users["staff"], users["chief"], users["staff2"]],
                      type_codes=("verbal_abuse", "intimidation", "violence"))
    TimelineEntry.objects.bulk_create(
        TimelineEntry(report=big, at=big.occurred_start, description=f"経過 {i}") for i in range(30)
    )
    for _ in range(3):
        make_attachment(uploader=users["staff"], report=big)
    small_cost = _queries_to_open(client, page.format(pk=small.pk))
    for _ in range(10):
        make_report(users["staff2"])
    big_cost = _queries_to_open(client, page.format(pk=big.pk))
    # Each opening writes one audit row on the report pages; nothing else may grow.
    assert big_cost == small_cost


def test_every_timeline_row_delete_box_has_a_label_for_keyboard_and_screen_reader_users(client, users, make_report):
    draft = make_report(users["staff"], status=Status.DRAFT)
    client.force_login(users["staff"])

    html = client.get(f"/reports/{draft.pk}/edit/").content.decode()

    assert '<label class="form-check-label"><input type="checkbox" name="timeline-0-DELETE" id="id_timeline-0-DELETE"> ' \
           '<span class="timeline-delete-label">この行を削除</span></label>' in html


def test_the_page_links_keep_the_lists_filters(client_as, users, make_report):
    for i in range(22):
        make_report(users["staff"], title=f"件{i}")

    page = Page(client_as("desk").get("/reports/", {"scope": "visible"}).content)
    following = {text: href for href, text in page.links()}["次へ"]

    assert following == "?scope=visible&page=2"
    assert "1 / 2" in page.root.text


def test_attachments_are_marked_with_an_icon_and_text_not_an_emoji(client_as, users, make_report, make_attachment):
    """An emoji turns into a box where the font lacks it; the icon is an SVG hidden from screen
    readers, which read 「添付ファイル：」 instead."""
    draft = make_report(users["staff"], status=Status.DRAFT)
    make_attachment(uploader=users["staff"], report=draft, name="写真.png")
    staff = client_as("staff")

    for url in (f"/reports/{draft.pk}/", f"/reports/{draft.pk}/edit/"):
        page = staff.get(url).content.decode()
        assert "📎" not in page, url
        assert '<svg class="icon-attachment" aria-hidden="true"' in page, url
        assert '<span class="visually-hidden">添付ファイル：</span>' in page, url
