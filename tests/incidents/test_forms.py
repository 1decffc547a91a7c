"""Filling in the 発生連絡票: what a draft accepts, what 提出 requires, the Japanese message the
user reads beside the field, and that a refused form comes back with everything typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.lifecycle import Status
from incidents.models import IncidentReport, TimelineEntry
from tests.incidents.conftest import END, START, local, timeline_rows
from tests.incidents.html import Page

FUTURE = "未来の日時は入力できません。"


def refused(response) -> Page:
    assert response.status_code == 400, response.status_code
    page = Page(response.content)
    assert "入力内容を確認してください" in page.root.text
    return page


# -- drafts ------------------------------------------------------------------------------------

def test_a_draft_with_only_a_title_is_saved_as_draft(staff_client, users):
    response = staff_client.post("/reports/new/", {"action": "save", "title": "書きかけ", **timeline_rows([])})

    report = IncidentReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{report.pk}/edit/"
    assert (report.title, report.status, report.reporter, report.section) == (
        "書きかけ", Status.DRAFT, users["staff"], users["staff"].section,
    )


def test_an_empty_draft_is_saved_too(staff_client):
    response = staff_client.post("/reports/new/", {"action": "save", **timeline_rows([])})

    assert response.status_code == 302
    report = IncidentReport.objects.get()
    assert report.status == Status.DRAFT
    assert report.title == ""
    assert report.get_status_display() == "下書き"


def test_a_cleared_count_box_is_saved_as_zero(staff_client, report_data):
    """Deleting the 0 in 「警告の回数」 and saving must not break the page."""
    data = report_data(action="save", warning_count="", exit_request_count="", exit_order_count="")

    response = staff_client.post("/reports/new/", data)

    assert response.status_code == 302
    report = IncidentReport.objects.get()
    assert (report.warning_count, report.exit_request_count, report.exit_order_count) == (0, 0, 0)


def test_a_draft_whose_end_is_before_its_start_is_refused(staff_client, report_data):
    data = report_data(action="save", occurred_end=local(START - timedelta(minutes=10)))

    page = refused(staff_client.post("/reports/new/", data))

    assert page.error_for("occurred_end") == "終了日時は開始日時より後にしてください。"
    assert not IncidentReport.objects.exists()


def test_a_draft_may_keep_a_timeline_row_without_a_time(staff_client, report_data):
    data = report_data(action="save", timeline=[{"kind": "warning", "description": "警告した（時刻は後で確認）"}])

    response = staff_client.post("/reports/new/", data)

    assert response.status_code == 302
    entry = TimelineEntry.objects.get()
    assert (entry.at, entry.description, entry.report.status) == (None, "警告した（時刻は後で確認）", Status.DRAFT)


def test_a_timeline_row_needs_to_say_what_happened_even_in_a_draft(staff_client, report_data):
    data = report_data(action="save", timeline=[{"at": local(START), "kind": "warning"}])

    page = refused(staff_client.post("/reports/new/", data))

    assert page.fields_with_errors() == {"timeline-0-description"}
    assert page.error_for("timeline-0-description") == "このフィールドは必須です。"


# -- submitting ----------------------------------------------------------------------------------

def test_a_complete_report_is_submitted(staff_client, report_data):
    response = staff_client.post("/reports/new/", report_data())

    report = IncidentReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{report.pk}/"
    assert report.status == Status.SUBMITTED
    assert report.staff_count == 1  # left blank: the number of chosen staff


def now_plus(minutes: int) -> str:
    return local(timezone.now() + timedelta(minutes=minutes))


# Each case changes a complete report in one way; the form must answer with exactly these
# messages beside exactly these fields. Values are strings, or callables for times relative to now.
SUBMIT_RULES = {
    "title missing": ({"title": ""}, {"title": "件名を入力してください。"}),
    "start missing": ({"occurred_start": ""}, {"occurred_start": "発生日時（開始）を入力してください。"}),
    "end missing": ({"occurred_end": ""}, {"occurred_end": "発生日時（終了）を入力してください。"}),
    "channel missing": ({"channel": ""}, {"channel": "場所・手段を選んでください。"}),
    "demand missing": ({"demand": ""}, {"demand": "要求内容を入力してください。"}),
    "conduct missing": ({"conduct": "  "}, {"conduct": "相手方の言動をそのままの言葉で入力してください。"}),
    "no 態様": ({"harassment_types": None}, {"harassment_types": "態様を1つ以上選んでください。"}),
    "no 対応職員": (
        {"staff_members": None},
        {"staff_members": "対応職員を1人以上選んでください。", "staff_count": "対応職員の人数は1以上にしてください。"},
    ),
    "staff count 0": ({"staff_count": "0"}, {"staff_count": "対応職員の人数は1以上にしてください。"}),
    "staff count below chosen staff": (
        {"staff_members": "BOTH", "staff_count": "1"},
        {"staff_count": "選んだ対応職員（2人）より少ない人数です。"},
    ),
    "counterpart count blank": ({"counterpart_count": ""}, {"counterpart_count": "相手方の人数は1以上にしてください。"}),
    "counterpart count 0": ({"counterpart_count": "0"}, {"counterpart_count": "相手方の人数は1以上にしてください。"}),
    "no ground": (
        {"ground_unreasonable_demand": None},
        {"ground_inappropriate_means": "該当する根拠（要求内容の妥当性／手段・態様の相当性）を1つ以上選んでください。"},
    ),
    "end before start": (
        {"occurred_end": local(START - timedelta(minutes=1))},
        {"occurred_end": "終了日時は開始日時より後にしてください。"},
    ),
    "start and end in the future": (
        {"occurred_start": lambda: now_plus(10), "occurred_end": lambda: now_plus(40)},
        {"occurred_start": FUTURE, "occurred_end": FUTURE},
    ),
    "end in the future": ({"occurred_end": lambda: now_plus(10)}, {"occurred_end": FUTURE}),
    "police called, no time": ({"police_called": "on"}, {"police_called_at": "警察に通報した日時を入力してください。"}),
    "police time in the future": (
        {"police_called": "on", "police_called_at": lambda: now_plus(10)},
        {"police_called_at": FUTURE},
    ),
}


@pytest.mark.parametrize(("changes", "messages"), SUBMIT_RULES.values(), ids=SUBMIT_RULES.keys())
def test_submit_rules_are_explained_beside_the_field(staff_client, users, report_data, changes, messages):
    changes = {k: v() if callable(v) else v for k, v in changes.items()}
    if changes.get("staff_members") == "BOTH":
        changes["staff_members"] = [str(users["staff"].pk), str(users["chief"].pk)]

    page = refused(staff_client.post("/reports/new/", report_data(**changes)))

    assert page.fields_with_errors() == set(messages)
    for field_name, message in messages.items():
        assert page.error_for(field_name) == message, field_name
    assert not IncidentReport.objects.exists()


def test_blank_staff_count_becomes_the_number_of_chosen_staff(staff_client, users, report_data):
    staff = [str(users["staff"].pk), str(users["chief"].pk)]

    response = staff_client.post("/reports/new/", report_data(staff_members=staff, staff_count=""))

    assert response.status_code == 302
    report = IncidentReport.objects.get()
    assert report.staff_count == 2
    assert set(report.staff_members.all()) == {users["staff"], users["chief"]}


def test_more_staff_than_were_chosen_is_fine(staff_client, report_data):
    """A security guard helped too: 3 people, one of them in the system."""
    response = staff_client.post("/reports/new/", report_data(staff_count="3"))

    assert response.status_code == 302
    assert IncidentReport.objects.get().staff_count == 3


def test_a_pc_clock_a_few_minutes_behind_is_tolerated(staff_client, report_data):
    data = report_data(
        occurred_start=now_plus(-60), occurred_end=now_plus(3), police_called="on", police_called_at=now_plus(3),
    )

    response = staff_client.post("/reports/new/", data)

    assert response.status_code == 302
    assert IncidentReport.objects.get().status == Status.SUBMITTED


def test_submitted_timeline_rows_need_a_time(staff_client, report_data):
    data = report_data(timeline=[{"kind": "warning", "description": "警告した"}])

    page = refused(staff_client.post("/reports/new/", data))

    assert page.fields_with_errors() == {"timeline-0-at"}
    assert page.error_for("timeline-0-at") == "時刻を入力してください。"
    assert not IncidentReport.objects.exists()


def test_a_timeline_time_outside_the_incident_must_be_explained(staff_client, report_data):
    later = {"at": local(END + timedelta(hours=2)), "kind": "police", "description": "警察に相談した"}

    page = refused(staff_client.post("/reports/new/", report_data(timeline=[later])))

    assert page.fields_with_errors() == {"timeline-0-outside_window_reason"}
    assert page.error_for("timeline-0-outside_window_reason") == (
        "時刻が発生日時（06/18 08:30〜06/18 09:55）の範囲外です。理由を書くか、時刻を直してください。"
    )

    explained = {**later, "outside_window_reason": "相手方の退去後に通報したため"}
    response = staff_client.post("/reports/new/", report_data(timeline=[explained]))

    assert response.status_code == 302
    entry = TimelineEntry.objects.get()
    assert entry.outside_window_reason == "相手方の退去後に通報したため"
    assert entry.report.status == Status.SUBMITTED


def test_timeline_times_at_the_very_start_and_end_need_no_explanation(staff_client, report_data):
    rows = [
        {"at": local(START), "kind": "other", "description": "対応開始"},
        {"at": local(END), "kind": "stopped", "description": "対応を終了"},
    ]

    response = staff_client.post("/reports/new/", report_data(timeline=rows))

    assert response.status_code == 302
    assert TimelineEntry.objects.count() == 2


# -- nothing typed is lost -------------------------------------------------------------------------

def test_a_refused_submit_gives_back_every_value_typed(staff_client, users, types, make_report, report_data):
    earlier = make_report(users["staff"], title="前回の同じ相手方の件")
    typed = report_data(
        title="「殺されたいのか」との発言",
        occurred_start="2025-06-18T08:30",
        occurred_end="2025-06-18T09:55",
        channel="counter",
        place="本庁舎1階 市民課窓口",
        staff_members=[str(users["staff"].pk), str(users["chief"].pk)],
        staff_count="3",
        counterpart_count="2",
        counterpart_name="山田 太郎",
        counterpart_sex="male",
        counterpart_age_band="60s",
        counterpart_contact="奥州市水沢大手町1-1\n090-0000-0000",
        counterpart_relation="申請者本人",
        counterpart_description="黒い帽子、杖をついている",
        demand="申請の即日受理",
        conduct="カウンターを叩きながら「殺されたいのか」と言い、\n職員に顔を近づけた。",
        harassment_types=[str(types["intimidation"].pk), str(types["verbal_abuse"].pk)],
        ground_unreasonable_demand="on",
        ground_inappropriate_means="on",
        warning_count="2",
        recording_started="on",
        response_stopped="on",
        exit_request_count="1",
        exit_order_count="1",
        police_called="on",  # …but no time: the error that sends the form back
        harm_mental="on",
        work_minutes_lost="90",
        harm_detail="その後の窓口業務を交代した",
        wants_consultation="on",
        wants_mental_care="on",
        disability_possible="on",
        disability_note="話し方から聴覚に障がいがある可能性",
        related_reports=[str(earlier.pk)],
        remarks="録音データあり",
        timeline=[
            {"at": "2025-06-18T08:40", "kind": "warning", "description": "大声をやめるよう警告", "actor_name": "窓口 花子"},
            {"at": "2025-06-18T09:00", "kind": "recording", "description": "録音を開始すると告げた",
             "actor_name": "市民 課長"},
            {"at": "2025-06-18T11:00", "kind": "police", "description": "警察に通報",
             "actor_name": "市民 課長", "outside_window_reason": "退去後に通報"},
        ],
    )

    page = refused(staff_client.post("/reports/new/", typed))

    assert page.fields_with_errors() == {"police_called_at"}
    shown = page.form_data()
    for name, value in typed.items():
        if name == "action":
            continue
        expected = sorted(value) if isinstance(value, list) else [value]
        assert sorted(shown.get(name, [""])) == expected, name
    # Spot checks on the markup a user looks at, beside the generic comparison above.
    assert page.find("input", id="id_title").attrs["value"] == "「殺されたいのか」との発言"
    assert page.by_id("id_conduct").raw_text.strip() == typed["conduct"]
    ticked = {n.attrs["value"] for n in page.find_all("input", name="harassment_types") if "checked" in n.attrs}
    assert ticked == {str(types["intimidation"].pk), str(types["verbal_abuse"].pk)}
    chosen = {n.attrs["value"] for n in page.by_id("id_staff_members").find_all("input") if "checked" in n.attrs}
    assert chosen == {str(users["staff"].pk), str(users["chief"].pk)}
    assert page.find("input", name="timeline-2-outside_window_reason").attrs["value"] == "退去後に通報"
    assert page.find("input", name="timeline-1-description").attrs["value"] == "録音を開始すると告げた"
    assert not IncidentReport.objects.exclude(pk=earlier.pk).exists()

    # The user adds the missing time and sends the very same form again: it goes through.
    response = staff_client.post(
        "/reports/new/", {**shown, "action": ["submit"], "police_called_at": ["2025-06-18T11:00"]}
    )

    assert response.status_code == 302
    report = IncidentReport.objects.exclude(pk=earlier.pk).get()
    assert report.status == Status.SUBMITTED
    assert report.conduct == typed["conduct"]
    assert (report.staff_count, report.counterpart_count, report.counterpart_name) == (3, 2, "山田 太郎")
    assert [e.description for e in report.timeline.all()] == ["大声をやめるよう警告", "録音を開始すると告げた", "警察に通報"]
    assert set(report.harassment_types.values_list("code", flat=True)) == {"intimidation", "verbal_abuse"}
