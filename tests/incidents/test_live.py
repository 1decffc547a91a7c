"""The live recorder (対応中の記録, issue 11) through its views: steps sent by the browser are stored
once however often they are sent, undo, the owner-only rule, refused input answered in Japanese,
and 「連絡票にする」 making the draft 発生連絡票 with its 発生日時, 態様, counts, flags and 経過."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from incidents.lifecycle import Status
from incidents.models import (
    EventAction,
    IncidentReport,
    LiveAction,
    LiveEvent,
    LiveRecord,
    LiveStep,
    ReportEvent,
    TimelineKind,
)

SYNC = "/reports/live/sync/"


def ms(moment) -> int:
    return int(moment.timestamp() * 1000)


def step(kind: str, at, note: str = "", op_id: str | None = None) -> dict:
    return {"id": op_id or str(uuid.uuid4()), "op": "step", "kind": kind, "at": ms(at), "note": note}


def send(client, record, ops, *, type_code="verbal_abuse", sent_at=None):
    """What live_recorder.js posts: the record's id, the page's 態様, its clock, the operations."""
    body = {"type": type_code, "record": record and str(record), "sent_at": ms(sent_at or timezone.now()), "ops": ops}
    return client.post(SYNC, json.dumps(body), content_type="application/json")


@pytest.fixture
def staff(users):
    return users["staff"]


@pytest.fixture
def incident():
    """An incident of 40 minutes that ended 10 minutes ago, as the recorder's taps."""
    start = timezone.now().replace(microsecond=0) - timedelta(minutes=50)
    taps = [
        ("judged", 0), ("warning", 2), ("recording", 3), ("warning", 6),
        ("exit_request", 10), ("exit_request", 14), ("exit_request", 18),
        ("police", 20), ("note", 25), ("supervisor", 30), ("ended", 40),
    ]
    return start, [step(kind, start + timedelta(minutes=m), note="相手が机を叩いた" if kind == "note" else "")
                   for kind, m in taps]


def test_steps_are_stored_with_their_times_and_a_step_sent_twice_is_stored_once(client_as, staff, incident):
    client = client_as("staff")
    record = uuid.uuid4()
    start, ops = incident

    first = send(client, record, ops[:3])
    # The answer was lost on the way (a dropped network): the browser sends the same steps again, and more.
    again = send(client, record, ops[:5])

    assert first.status_code == again.status_code == 200
    assert first.json()["confirmed"] == [op["id"] for op in ops[:3]]
    assert again.json()["confirmed"] == [op["id"] for op in ops[:5]]
    stored = LiveRecord.objects.get(client_id=record)
    assert stored.owner == staff and stored.harassment_type.code == "verbal_abuse"
    assert list(stored.steps.values_list("kind", flat=True)) == ["judged", "warning", "recording", "warning", "exit_request"]
    assert stored.steps.get(kind="judged").at == start
    assert LiveEvent.objects.filter(record=stored, action=LiveAction.STEP).count() == 5
    assert LiveEvent.objects.filter(record=stored, action=LiveAction.STARTED).count() == 1
    assert [s["kind"] for s in again.json()["record"]["steps"]] == [
        "judged", "warning", "recording", "warning", "exit_request"]


def test_undo_marks_the_last_step_and_is_applied_once(client_as, incident):
    client = client_as("staff")
    record = uuid.uuid4()
    _start, ops = incident
    send(client, record, ops[:2])
    undo = {"id": str(uuid.uuid4()), "op": "undo", "step": ops[1]["id"]}

    answers = [send(client, record, [undo]), send(client, record, [undo])]

    assert [a.json()["confirmed"] for a in answers] == [[undo["id"]], [undo["id"]]]
    warning = LiveStep.objects.get(client_id=ops[1]["id"])
    assert warning.undone_at is not None
    assert LiveEvent.objects.filter(action=LiveAction.UNDONE).count() == 1
    assert [s["undone"] for s in answers[1].json()["record"]["steps"]] == [False, True]


def test_a_clock_that_is_off_is_corrected_by_the_time_the_browser_sent(client_as):
    """A counter tablet one hour behind: the tap made two minutes before sending is two minutes ago."""
    client = client_as("staff")
    now = timezone.now()
    behind = now - timedelta(hours=1)
    send(client, uuid.uuid4(), [step("warning", behind - timedelta(minutes=2))], sent_at=behind)

    at = LiveStep.objects.get().at
    assert abs((now - timedelta(minutes=2)) - at) < timedelta(seconds=5)


def test_the_record_is_its_owners_alone(client_as, users, incident):
    staff = client_as("staff")
    record = uuid.uuid4()
    _start, ops = incident
    send(staff, record, ops[:3])
    page = f"/reports/live/{record}/"
    assert staff.get(page).status_code == 200

    for other in ("staff2", "chief", "director", "desk", "admin"):
        client = client_as(other)
        assert client.get(page).status_code == 404, other
        assert client.post(f"{page}report/").status_code == 404, other
        assert str(record) not in client.get("/reports/live/").content.decode()
    # Another user naming the same id only ever reaches a record of their own.
    chief = client_as("chief")
    answer = send(chief, record, [step("warning", timezone.now())])
    assert answer.status_code == 200
    assert [s["kind"] for s in answer.json()["record"]["steps"]] == ["warning"]
    mine = LiveRecord.objects.get(client_id=record, owner=users["staff"])
    assert mine.steps.count() == 3
    assert not IncidentReport.objects.exists()


def test_the_live_view_continues_the_open_record_and_lists_the_others(client_as, incident):
    client = client_as("staff")
    ended, ops = uuid.uuid4(), incident[1]
    send(client, ended, ops)  # ends with 終了, not made into a report
    going = uuid.uuid4()
    send(client, going, [step("warning", timezone.now() - timedelta(minutes=1))])
    other_type = uuid.uuid4()
    send(client, other_type, [step("warning", timezone.now())], type_code="long_detention")

    # A browser that knows of no record (another device, cleared storage) asks what is open.
    answer = send(client, None, []).json()

    assert answer["record"] is None
    assert answer["current"]["id"] == str(going)
    assert {w["id"] for w in answer["waiting"]} == {str(ended), str(other_type)}
    # Nobody else is offered them.
    assert send(client_as("staff2"), None, []).json() == {
        "record": None, "current": None, "confirmed": [], "rejected": [], "waiting": []}


def test_make_report_fills_the_draft_from_the_steps(client_as, staff, incident, types):
    client = client_as("staff")
    record = uuid.uuid4()
    start, ops = incident
    mistake = step("exit_order", start + timedelta(minutes=21))
    send(client, record, [*ops[:8], mistake, *ops[8:]])
    send(client, record, [{"id": str(uuid.uuid4()), "op": "undo", "step": mistake["id"]}])

    answer = client.post(f"/reports/live/{record}/report/")

    report = IncidentReport.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/reports/{report.pk}/edit/"
    assert report.reporter == staff and report.section == staff.section and report.status == Status.DRAFT
    assert report.occurred_start == start and report.occurred_end == start + timedelta(minutes=40)
    assert list(report.harassment_types.all()) == [types["verbal_abuse"]]
    assert list(report.staff_members.all()) == [staff]
    assert (report.warning_count, report.exit_request_count, report.exit_order_count) == (2, 3, 0)
    assert report.recording_started and not report.response_stopped
    assert report.police_called and report.police_called_at == start + timedelta(minutes=20)
    rows = list(report.timeline.values_list("kind", "description", "actor_name"))
    assert rows == [
        (TimelineKind.OTHER, "カスハラと判断した（対応時間の計測を開始）", "窓口 花子"),
        (TimelineKind.WARNING, "警告した（1回目）", "窓口 花子"),
        (TimelineKind.RECORDING, "録音・録画を開始した", "窓口 花子"),
        (TimelineKind.WARNING, "警告した（2回目）", "窓口 花子"),
        (TimelineKind.EXIT_REQUEST, "退去を求めた（1回目）", "窓口 花子"),
        (TimelineKind.EXIT_REQUEST, "退去を求めた（2回目）", "窓口 花子"),
        (TimelineKind.EXIT_REQUEST, "退去を求めた（3回目）", "窓口 花子"),
        (TimelineKind.POLICE, "警察に通報した", "窓口 花子"),
        (TimelineKind.OTHER, "メモ：相手が机を叩いた", "窓口 花子"),
        (TimelineKind.SUPERVISOR, "上司に報告・交代した", "窓口 花子"),
        (TimelineKind.OTHER, "対応を終了した", "窓口 花子"),
    ]
    assert [row.at for row in report.timeline.all()][4] == start + timedelta(minutes=10)
    assert "警告した" in report.search_text and "机を叩いた" in report.search_text
    created = ReportEvent.objects.get(report=report)
    assert created.action == EventAction.CREATED and created.actor == staff
    assert created.detail == {"from_live_record": str(record), "live_steps": 11}
    assert "対応中の記録から作成" in created.reason
    stored = LiveRecord.objects.get(client_id=record)
    assert stored.report == report and stored.reported_at is not None
    assert LiveEvent.objects.filter(record=stored, action=LiveAction.REPORTED, detail__report=report.pk).exists()

    # The edit page opens with the 経過 and the counts filled in.
    page = client.get(answer["Location"]).content.decode()
    assert "対応中の記録から連絡票の下書き" in page
    assert 'value="退去を求めた（3回目）"' in page
    assert 'name="exit_request_count" value="3"' in page


def test_make_report_pressed_twice_makes_one_report_and_a_discarded_draft_frees_the_record(client_as, staff, incident):
    client = client_as("staff")
    record = uuid.uuid4()
    send(client, record, incident[1])

    first, second = client.post(f"/reports/live/{record}/report/"), client.post(f"/reports/live/{record}/report/")

    report = IncidentReport.objects.get()
    assert first["Location"] == second["Location"] == f"/reports/{report.pk}/edit/"
    # The draft is discarded: the record may be made into a report again, its events keep both.
    from incidents import services

    services.transition(report=report, name="discard", actor=staff)
    again = client.post(f"/reports/live/{record}/report/")
    assert IncidentReport.objects.exclude(status=Status.DISCARDED).count() == 1
    new = IncidentReport.objects.exclude(status=Status.DISCARDED).get()
    assert again["Location"] == f"/reports/{new.pk}/edit/"
    assert LiveEvent.objects.filter(action=LiveAction.REPORTED).count() == 2


def test_a_record_without_steps_is_not_made_into_a_report(client_as, incident):
    client = client_as("staff")
    record = uuid.uuid4()
    only = incident[1][0]
    send(client, record, [only])
    send(client, record, [{"id": str(uuid.uuid4()), "op": "undo", "step": only["id"]}])

    answer = client.post(f"/reports/live/{record}/report/", follow=True)

    assert not IncidentReport.objects.exists()
    assert "まだ何も記録していないため、連絡票にできません。" in answer.content.decode()


def test_after_the_report_a_late_step_is_kept_and_an_undo_is_refused(client_as, incident):
    client = client_as("staff")
    record = uuid.uuid4()
    start, ops = incident
    send(client, record, ops[:4])
    client.post(f"/reports/live/{record}/report/")
    report = IncidentReport.objects.get()

    late = step("exit_order", start + timedelta(minutes=45))
    undo = {"id": str(uuid.uuid4()), "op": "undo", "step": ops[0]["id"]}
    answer = send(client, record, [late, undo]).json()

    assert answer["confirmed"] == [late["id"]]
    assert answer["rejected"] == [{"id": undo["id"], "message": (
        f"この記録はすでに連絡票（No.{report.pk}）にしたため、取り消せません。連絡票の経過記録を直してください。")}]
    assert answer["record"]["reported"] == {"number": report.pk, "url": f"/reports/{report.pk}/edit/"}
    assert report.timeline.count() == 4
    page = client.get(f"/reports/live/{record}/").content.decode()
    assert "連絡票の作成後に届いた記録（連絡票には入っていません）" in page


def test_refused_input_is_answered_in_japanese_and_the_good_steps_are_kept(client_as):
    client = client_as("staff")
    record = uuid.uuid4()
    good = step("warning", timezone.now())
    odd_kind = {**step("warning", timezone.now()), "kind": "fax"}
    long_note = step("note", timezone.now(), note="あ" * 201)
    empty_note = step("note", timezone.now(), note="  ")
    ancient = step("warning", timezone.now() - timedelta(days=30))
    bad_time = {**step("warning", timezone.now()), "at": "10:05"}
    nul = step("note", timezone.now(), note="机を\x00叩いた")

    answer = send(client, record, [good, odd_kind, long_note, empty_note, ancient, bad_time, nul])

    assert answer.status_code == 200
    assert answer.json()["confirmed"] == [good["id"]]
    assert {r["id"]: r["message"] for r in answer.json()["rejected"]} == {
        odd_kind["id"]: "記録の種類を読み取れませんでした。",
        long_note["id"]: "メモは 200 文字までです。",
        empty_note["id"]: "メモが空です。",
        ancient["id"]: "7日より前の記録は受け付けられません。連絡票の経過に直接書いてください。",
        bad_time["id"]: "記録の時刻を読み取れませんでした。",
        nul["id"]: "メモに使えない文字が含まれています。",
    }
    assert LiveStep.objects.count() == 1

    for body in (b"not json", b"\xff\xfe", b"[" * 50_000, json.dumps([1, 2]).encode(),
                 json.dumps({"type": "verbal_abuse", "record": "x"}).encode(),
                 json.dumps({"type": "verbal\x00abuse", "record": str(record), "ops": []}).encode(),
                 json.dumps({"type": "verbal_abuse", "record": str(record), "ops": [{"op": "step"}] * 101}).encode()):
        refused = client.post(SYNC, body, content_type="application/json")
        assert refused.status_code == 400, body
        assert refused.json()["error"].endswith("。"), refused.json()
    unknown = send(client, uuid.uuid4(), [step("warning", timezone.now())], type_code="no_such_type")
    assert unknown.status_code == 400
    assert unknown.json()["error"].startswith("この態様はマニュアルにありません。")
    assert LiveRecord.objects.count() == 1


def test_a_record_holds_at_most_as_many_steps_as_a_report_has_rows(client_as):
    client = client_as("staff")
    record = uuid.uuid4()
    now = timezone.now()
    ops = [step("warning", now - timedelta(seconds=60 - i)) for i in range(51)]

    answer = send(client, record, ops).json()

    assert len(answer["confirmed"]) == 50
    assert answer["rejected"] == [{"id": ops[50]["id"], "message": (
        "一つの記録に残せるのは 50 件までです。続きは連絡票の経過記録に書いてください。")}]


def test_signed_out_the_sync_answers_401_in_json(client, db):
    answer = send(client, uuid.uuid4(), [step("warning", timezone.now())])

    assert answer.status_code == 401
    assert answer.json()["signed_out"] is True
    assert not LiveRecord.objects.exists()


def test_the_list_and_the_record_page_show_the_steps_in_wareki(client_as, incident):
    client = client_as("staff")
    record = uuid.uuid4()
    start, ops = incident
    send(client, record, ops)

    listing = client.get("/reports/live/").content.decode()
    page = client.get(f"/reports/live/{record}/").content.decode()

    assert "暴言型" in listing and "11 件" in listing and "連絡票にしていません" in listing
    assert "令和" in page and f"({timezone.localtime(start):%Y-%m-%d})" in page
    assert "警告 2回" in page and "退去要求 3回" in page
    assert f"{timezone.localtime(start):%H:%M:%S}" in page
    assert LiveEvent.objects.filter(action=LiveAction.VIEWED).count() == 1


@pytest.mark.postgres
def test_two_sends_of_the_same_new_steps_at_once_store_them_once(postgres, committed_db, users):
    """A retry racing the original request, each on its own connection: one record, each step once."""
    staff = users["staff"]
    for _trial in range(10):
        record = uuid.uuid4()
        ops = [step("warning", timezone.now()), step("exit_request", timezone.now())]
        body = json.dumps({"type": "verbal_abuse", "record": str(record), "sent_at": ms(timezone.now()), "ops": ops})
        barrier = threading.Barrier(2)
        answers: list = [None, None]

        def post(i: int, body: str = body, barrier: threading.Barrier = barrier, answers: list = answers) -> None:
            client = Client()
            client.force_login(staff)
            try:
                barrier.wait(10)
                answers[i] = client.post(SYNC, body, content_type="application/json")
            except Exception as error:  # noqa: BLE001 - an exception is an answer the assertions report
                answers[i] = error
            finally:
                connection.close()

        threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

        assert [getattr(a, "status_code", a) for a in answers] == [200, 200]
        assert LiveRecord.objects.filter(client_id=record).count() == 1
        assert LiveStep.objects.filter(record__client_id=record).count() == 2
        assert LiveEvent.objects.filter(record__client_id=record, action=LiveAction.STEP).count() == 2
