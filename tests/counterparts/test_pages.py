"""The counterpart page as the 相談窓口 and the committee read it: the linked reports with 態様 and
dates, the repeat indicator, the standing measures, the manual's caution; and what it costs."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from counterparts import selectors, services
from counterparts.models import Measure, MeasureKind
from tests.incidents.html import Page

CAUTION = "過去にカスハラに該当する行為があった相手方であっても、新たな要求や相談は、その都度、内容に即して判断してください（過去の経緯だけでカスハラと決めつけない）。"


def days_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)


@pytest.fixture
def counterpart(make_counterpart):
    return make_counterpart(name="山田太郎", phone="09012345678")


def detail(client, counterpart) -> Page:
    response = client.get(f"/counterparts/{counterpart.pk}/")
    assert response.status_code == 200
    return Page(response.content)


def test_linked_reports_show_types_and_wareki_dates(client_as, users, counterpart, make_report, link):
    when = datetime.datetime(2025, 6, 18, 8, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=9)))
    link(counterpart, make_report(users["staff"], title="窓口での怒鳴り声", occurred_start=when,
                                  type_codes=("verbal_abuse", "repeat")))
    row = detail(client_as("desk"), counterpart).by_id("linked-reports").find("tbody").find("tr")
    assert "窓口での怒鳴り声" in row.text
    assert "令和7年6月18日 (2025-06-18) 08:30" in row.text
    assert "暴言型" in row.text and "リピート型" in row.text


def test_the_caution_is_shown_to_everyone_who_reads_the_page(client_as, counterpart):
    for role in ("desk", "chair", "member"):
        assert CAUTION in detail(client_as(role), counterpart).by_id("caution").text


def test_repeat_indicator_counts_only_the_last_twelve_months(client_as, users, counterpart, make_report, link):
    for age in (10, 200, 400, 800):
        link(counterpart, make_report(users["staff"], occurred_start=days_ago(age), occurred_end=days_ago(age)))
    text = detail(client_as("desk"), counterpart).by_id("repeat").text
    assert "直近12か月に2件" in text
    assert "繰り返しあり" in text
    assert "全部で4件" in text
    assert selectors.repeat_count(counterpart) == 2
    assert selectors.recent_links_count(counterpart, days=90) == 1


def test_one_recent_report_has_no_repeat_badge(client_as, users, counterpart, make_report, link):
    link(counterpart, make_report(users["staff"], occurred_start=days_ago(3), occurred_end=days_ago(3)))
    link(counterpart, make_report(users["staff"], occurred_start=days_ago(500), occurred_end=days_ago(500)))
    text = detail(client_as("desk"), counterpart).by_id("repeat").text
    assert "直近12か月に1件" in text
    assert "繰り返しあり" not in text


def measure(counterpart, users, **fields) -> Measure:
    today = timezone.localdate()
    values = {"kind": MeasureKind.BAN, "decided_by": "カスハラ対策委員会", "decided_on": today,
              "starts_on": today, "ends_on": today + datetime.timedelta(days=90)}
    values.update(fields)
    return services.add_measure(actor=users["desk"], counterpart=counterpart, data=values, ip_address=None)


def test_measures_active_and_ended_are_told_apart_in_words(client_as, users, counterpart):
    today = timezone.localdate()
    measure(counterpart, users)
    measure(counterpart, users, kind=MeasureKind.WARNING_LETTER, starts_on=today - datetime.timedelta(days=60),
            ends_on=today - datetime.timedelta(days=1))
    handler_rule = measure(counterpart, users, kind=MeasureKind.SINGLE_HANDLER, handler=users["desk"], ends_on=None)
    services.end_measure(actor=users["desk"], measure=handler_rule, ended_on=today, reason="相手方が転居したため",
                         ip_address=None)
    page = detail(client_as("chair"), counterpart)
    active = page.by_id("active-measures").text
    ended = page.by_id("ended-measures").text
    assert "実施中" in active and "出入禁止" in active and "カスハラ対策委員会" in active
    assert "警告文書送付" in ended and "対応者を一本化" in ended and "相手方が転居したため" in ended
    assert "出入禁止" not in ended
    assert ended.count("終了") >= 2


def test_the_desk_adds_and_ends_a_measure_through_the_pages(client_as, users, counterpart):
    client = client_as("desk")
    today = timezone.localdate()
    url = f"/counterparts/{counterpart.pk}/measures/new/"
    refused = client.post(url, {"kind": "ban", "decided_by": "総務課長", "decided_on": today, "starts_on": today})
    assert refused.status_code == 400
    assert "期間を決めてください" in Page(refused.content).error_for("ends_on")
    no_handler = client.post(url, {"kind": "single_handler", "decided_by": "総務課長", "decided_on": today,
                                   "starts_on": today})
    assert "対応する職員を選んでください" in Page(no_handler.content).error_for("handler")
    response = client.post(url, {"kind": "single_handler", "handler": users["desk"].pk, "decided_by": "総務課長",
                                 "decided_on": today, "starts_on": today})
    assert response.status_code == 302
    measure = counterpart.measures.get()
    assert "対応者を一本化" in detail(client, counterpart).by_id("active-measures").text
    end = client.post(f"/counterparts/{counterpart.pk}/measures/{measure.pk}/end/",
                      {"ended_on": today, "reason": "委員会で解除を決定"})
    assert end.status_code == 302
    page = detail(client, counterpart)
    assert page.by_id("active-measures") is None
    assert "委員会で解除を決定" in page.by_id("ended-measures").text


def test_the_handler_must_be_a_desk_user(client_as, users, counterpart):
    today = timezone.localdate()
    response = client_as("desk").post(f"/counterparts/{counterpart.pk}/measures/new/", {
        "kind": "single_handler", "handler": users["staff"].pk, "decided_by": "総務課長",
        "decided_on": today, "starts_on": today,
    })
    assert response.status_code == 400
    assert not counterpart.measures.exists()


def test_edit_keeps_matching_current(client_as, counterpart):
    response = client_as("desk").post(f"/counterparts/{counterpart.pk}/edit/", {
        "name": "山田　一郎", "phone": "０９０－９９９９－８８８８", "address": "", "sex": "", "age_band": "",
        "relation": "", "description": "",
    })
    assert response.status_code == 302
    page = Page(client_as("desk").get("/counterparts/", {"q": "09099998888"}).content)
    assert page.find("tbody").find("th").text == "山田 一郎"  # the page collapses the full-width space


def test_page_costs_the_same_queries_for_3_and_30_reports(client_as, users, make_counterpart, make_report, link):
    client = client_as("desk")
    counts = []
    for n in (3, 30):
        counterpart = make_counterpart(name=f"{n}件の相手方")
        for i in range(n):
            link(counterpart, make_report(users["staff" if i % 2 else "staff2"], type_codes=("verbal_abuse", "repeat")))
        measure(counterpart, users)
        client.get(f"/counterparts/{counterpart.pk}/")  # warm the session
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/counterparts/{counterpart.pk}/")
        assert response.status_code == 200
        assert len(Page(response.content).by_id("linked-reports").find("tbody").find_all("tr")) == n
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_list_costs_the_same_queries_for_few_and_many(client_as, users, make_counterpart, make_report, link):
    client = client_as("chair")
    client.get("/counterparts/")
    counts = []
    for n in (2, 25):
        for i in range(n):
            link(make_counterpart(name=f"相手方{n}-{i}"), make_report(users["staff"]))
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/counterparts/").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_list_is_paginated(client_as, make_counterpart):
    for i in range(45):
        make_counterpart(name=f"相手方{i:02d}")
    client = client_as("desk")
    first = Page(client.get("/counterparts/").content)
    assert len(first.find("tbody").find_all("tr")) == 20
    third = Page(client.get("/counterparts/", {"page": 3}).content)
    assert [r.find("th").text for r in third.find("tbody").find_all("tr")] == [f"相手方{i}" for i in range(40, 45)]


def test_report_panel_shows_counterparts_repeat_and_active_measures(users, counterpart, make_report, link):
    report = make_report(users["staff"], occurred_start=days_ago(5), occurred_end=days_ago(5))
    link(counterpart, report)
    link(counterpart, make_report(users["staff"], occurred_start=days_ago(50), occurred_end=days_ago(50)))
    measure(counterpart, users)
    found = selectors.for_report(users["desk"], report)
    html = render_to_string("counterparts/_report_panel.html",
                            {"report": report, "counterparts": found, "can_manage": True})
    page = Page(html)
    panel = page.by_id("counterparts-panel")
    assert (f"/counterparts/{counterpart.pk}/", "山田太郎") in page.links()
    assert "直近12か月に2件" in panel.text and "繰り返しあり" in panel.text
    assert "出入禁止" in panel.text
    assert (f"/counterparts/link/{report.pk}/", "相手方を紐付ける") in page.links()
    committee = render_to_string("counterparts/_report_panel.html",
                                 {"report": report, "counterparts": selectors.for_report(users["member"], report),
                                  "can_manage": False})
    assert "相手方を紐付ける" not in committee and "山田太郎" in committee
    hidden = render_to_string("counterparts/_report_panel.html",
                              {"report": report, "counterparts": selectors.for_report(users["chief"], report),
                               "can_manage": False})
    assert "山田太郎" not in hidden


def test_pages_have_a_title_and_no_inline_script(client_as, users, counterpart, make_report, link):
    report = make_report(users["staff"], counterpart_name="山田太郎")
    client = client_as("desk")
    for url in ("/counterparts/", f"/counterparts/{counterpart.pk}/", f"/counterparts/link/{report.pk}/",
                f"/counterparts/new/{report.pk}/", f"/counterparts/{counterpart.pk}/measures/new/",
                f"/counterparts/{counterpart.pk}/edit/"):
        html = client.get(url).content.decode()
        # The page's own name comes first (base.html then adds the system's name).
        assert re.search(r"<title>[^<]+カスハラ対応システム</title>", html), url
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        page = Page(html)
        for field in page.find_all("input") + page.find_all("textarea") + page.find_all("select"):
            if field.attrs.get("type") in ("hidden", "submit"):
                continue
            assert page.find("label", for_=field.attrs["id"]) is not None, (url, field.attrs)


@pytest.mark.parametrize(("field", "value"), [("decided_on", "0001-01-01"), ("starts_on", "1999-12-31"),
                                              ("ends_on", "9999-12-31")])
def test_a_measure_date_outside_a_sane_window_is_refused_with_a_message(client_as, counterpart, field, value):
    today = timezone.localdate()
    data = {"kind": "ban", "decided_by": "総務課長", "decided_on": today, "starts_on": today,
            "ends_on": today, field: value}

    response = client_as("desk").post(f"/counterparts/{counterpart.pk}/measures/new/", data)

    assert response.status_code == 400
    assert "2000年1月1日から" in Page(response.content).error_for(field)
    assert not counterpart.measures.exists()


def test_registering_from_a_report_twice_registers_once(client_as, users, make_report):
    from counterparts.models import Counterpart

    report = make_report(users["staff"], counterpart_name="山田 太郎")
    data = {"name": "山田 太郎", "phone": "090-1234-5678", "address": "", "sex": "", "age_band": "",
            "relation": "", "description": ""}
    client = client_as("desk")

    first = client.post(f"/counterparts/new/{report.pk}/", data)
    second = client.post(f"/counterparts/new/{report.pk}/", data)

    assert Counterpart.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
