"""保存期間: the nightly removal of a closed case's evidence and its 相手方's personal data, with moved
clocks (``retention.run(now=…)`` and ``timezone.now`` for the pages); the legal hold; the run's
record and its page; the statistics unchanged."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from counterparts.models import Counterpart, CounterpartLink
from incidents import retention
from incidents.lifecycle import Status
from incidents.models import Attachment, CaseNote, EventAction, IncidentReport, RetentionRun
from stats import selectors as stats
from stats.policies import CITY
from stats.selectors import Selection

JST = ZoneInfo("Asia/Tokyo")
PLACEHOLDER = "（保存期間経過により削除）"
#: Closed in 令和7年度 (2025-04-01 … 2026-03-31): kept to 2031-03-31 with 5 years, removed from 2031-04-01.
CLOSED = datetime.datetime(2025, 6, 10, 15, 0, tzinfo=JST)
LAST_KEPT = datetime.datetime(2031, 3, 31, 23, 59, tzinfo=JST)
FIRST_REMOVED = datetime.datetime(2031, 4, 1, 0, 0, tzinfo=JST)


@pytest.fixture
def closed_case(users, make_report, make_attachment):
    """A closed case with two evidence files, the 相手方's name and contact, and a register entry."""
    report = make_report(
        users["staff"], status=Status.CLOSED, closed_at=CLOSED,
        counterpart_name="山田太郎", counterpart_contact="奥州市水沢大手町1-1　090-1234-5678",
        counterpart_description="灰色の作業着", counterpart_sex="male", counterpart_age_band="50s",
        remarks="山田太郎氏は昨年も同じ要求で来庁している。",
    )
    CaseNote.objects.create(report=report, author=users["desk"], body="090-1234-5678 に折り返し、面談を設定した。")
    files = [make_attachment(uploader=users["staff"], report=report, name=f"photo{i}.png") for i in range(2)]
    counterpart = Counterpart.objects.create(created_by=users["desk"], name="山田太郎", phone="090-1234-5678",
                                             address="奥州市水沢大手町1-1", name_key="やまだたろう")
    CounterpartLink.objects.create(counterpart=counterpart, report=report, linked_by=users["desk"])
    return report, files, counterpart


def _stored(attachment: Attachment) -> bool:
    return attachment.file.storage.exists(attachment.file.name)


def _run(now, capture):
    with capture(execute=True):
        return retention.run(now=now)


def test_the_period_ends_with_the_fiscal_year_five_years_after_closing(settings):
    settings.KASUHARA_RETAIN_CLOSED_YEARS = 5
    assert timezone.localdate(retention.kept_until(CLOSED)) == datetime.date(2031, 3, 31)
    assert retention.closed_before(LAST_KEPT) == datetime.datetime(2025, 4, 1, tzinfo=JST)
    assert retention.closed_before(FIRST_REMOVED) == datetime.datetime(2026, 4, 1, tzinfo=JST)
    # Closed on the last day of 令和7年度: removed the same night as CLOSED; the next day: a year later.
    assert datetime.datetime(2026, 3, 31, 23, 0, tzinfo=JST) < retention.closed_before(FIRST_REMOVED)
    assert datetime.datetime(2026, 4, 1, 0, 0, tzinfo=JST) >= retention.closed_before(FIRST_REMOVED)
    settings.KASUHARA_RETAIN_FROM_FISCAL_YEAR_END = False
    assert retention.closed_before(FIRST_REMOVED) == datetime.datetime(2026, 4, 1, tzinfo=JST)


def test_nothing_happens_just_before_the_period_ends(closed_case, django_capture_on_commit_callbacks):
    report, files, counterpart = closed_case
    run = _run(LAST_KEPT, django_capture_on_commit_callbacks)
    assert (run.report_count, run.file_count, run.items) == (0, 0, [])
    report.refresh_from_db()
    assert report.counterpart_name == "山田太郎" and report.retention_applied_at is None
    assert all(_stored(f) for f in files) and Attachment.objects.filter(report=report).count() == 2


def test_just_after_the_period_evidence_and_personal_data_are_removed(
        closed_case, django_capture_on_commit_callbacks):
    report, files, counterpart = closed_case
    run = _run(FIRST_REMOVED, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.counterpart_name == PLACEHOLDER
    assert report.counterpart_contact == PLACEHOLDER
    assert report.counterpart_description == PLACEHOLDER
    assert report.counterpart_relation == ""  # empty stays empty: nothing to remove
    # Statistics stay: sex, age band, dates, channel, 態様.
    assert (report.counterpart_sex, report.counterpart_age_band) == ("male", "50s")
    assert report.harassment_types.count() == 1 and report.occurred_start is not None
    assert "山田" not in report.search_text
    # Where the free text quotes them word for word, the name and the phone number go too.
    assert report.remarks == f"{PLACEHOLDER}氏は昨年も同じ要求で来庁している。"
    assert report.notes.get().body == f"{PLACEHOLDER} に折り返し、面談を設定した。"
    assert report.conduct.startswith("「馬鹿野郎」")  # the case's own record stays
    assert not Attachment.objects.filter(report=report).exists()
    assert not any(_stored(f) for f in files)
    counterpart.refresh_from_db()
    assert (counterpart.name, counterpart.phone, counterpart.address) == (PLACEHOLDER,) * 3
    assert counterpart.name_key == ""
    # The run's record: counts and what was removed, no personal data.
    assert (run.report_count, run.file_count, run.counterpart_count) == (1, 2, 1)
    assert run.items == [{"report": report.pk, "files": 2, "counterparts": [counterpart.pk], "letters": 0, "texts": 2,
                          "fields": ["counterpart_name", "counterpart_contact", "counterpart_description"]}]
    assert run.finished_at is not None
    assert "山田" not in str(run.items)
    event = report.events.get(action=EventAction.RETAINED_REMOVED)
    assert event.actor is None and event.detail["files"] == 2
    # Idempotent: the next night removes nothing more.
    again = _run(FIRST_REMOVED + datetime.timedelta(days=1), django_capture_on_commit_callbacks)
    assert again.report_count == 0 and report.events.filter(action=EventAction.RETAINED_REMOVED).count() == 1


def test_a_counterpart_with_a_case_still_kept_is_not_anonymised(
        closed_case, users, make_report, django_capture_on_commit_callbacks):
    report, files, counterpart = closed_case
    newer = make_report(users["staff"], counterpart_name="山田太郎")  # submitted, still open
    CounterpartLink.objects.create(counterpart=counterpart, report=newer, linked_by=users["desk"])
    run = _run(FIRST_REMOVED, django_capture_on_commit_callbacks)
    counterpart.refresh_from_db()
    newer.refresh_from_db()
    assert counterpart.name == "山田太郎" and newer.counterpart_name == "山田太郎"
    assert run.report_count == 1 and run.counterpart_count == 0


def test_open_and_reopened_cases_are_never_touched(users, make_report, django_capture_on_commit_callbacks):
    reopened = make_report(users["staff"], status=Status.IN_PROGRESS, closed_at=None, counterpart_name="佐藤")
    run = _run(FIRST_REMOVED, django_capture_on_commit_callbacks)
    reopened.refresh_from_db()
    assert run.report_count == 0 and reopened.counterpart_name == "佐藤"


def test_a_legal_hold_skips_the_case_until_it_is_lifted(
        closed_case, client_as, users, django_capture_on_commit_callbacks):
    report, files, counterpart = closed_case
    desk = client_as("desk")
    page = desk.get(f"/reports/{report.pk}/").content.decode()
    assert "令和13年3月31日 (2031-03-31)まで（その後、証拠ファイルと相手方の個人情報を削除します）" in page
    assert "保存期間" not in client_as("staff").get(f"/reports/{report.pk}/").content.decode()
    # Only the 相談窓口 may hold: the reporter's post is a 404 and changes nothing.
    assert client_as("staff").post(f"/reports/{report.pk}/change/hold/", {"reason": "訴訟"}).status_code == 404
    # A hold needs a reason; the page says so.
    response = desk.post(f"/reports/{report.pk}/change/hold/", {"reason": ""})
    assert response.status_code == 400 and "このフィールドは必須です" in response.content.decode()
    response = desk.post(f"/reports/{report.pk}/change/hold/", {"reason": "損害賠償請求訴訟の係属中"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.legal_hold and report.legal_hold_by == users["desk"] and report.legal_hold_at
    assert report.events.filter(action=EventAction.HOLD_SET, reason="損害賠償請求訴訟の係属中").exists()
    page = desk.get(f"/reports/{report.pk}/").content.decode()
    assert "訴訟・警察対応中" in page and 'id="change-release"' in page

    run = _run(FIRST_REMOVED, django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert run.report_count == 0 and run.held_count == 1
    assert report.counterpart_name == "山田太郎" and all(_stored(f) for f in files)

    assert desk.post(f"/reports/{report.pk}/change/release/", {"reason": "判決確定"}).status_code == 302
    report.refresh_from_db()
    assert not report.legal_hold
    assert report.events.filter(action=EventAction.HOLD_LIFTED, reason="判決確定").exists()
    run = _run(FIRST_REMOVED + datetime.timedelta(days=1), django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert run.report_count == 1 and report.counterpart_name == PLACEHOLDER
    assert not any(_stored(f) for f in files)


def test_the_statistics_are_the_same_before_and_after(closed_case, django_capture_on_commit_callbacks):
    today = datetime.date(2031, 4, 1)
    selection = Selection.year(2025)
    before = stats.read(CITY, selection, today=today), stats.read(CITY, selection, today=today, portable=True)
    assert before[0].summary  # the case is counted
    run = _run(FIRST_REMOVED, django_capture_on_commit_callbacks)
    assert run.report_count == 1
    after = stats.read(CITY, selection, today=today), stats.read(CITY, selection, today=today, portable=True)
    assert after == before


def test_the_case_page_shows_the_placeholder_and_the_date_of_removal(
        closed_case, client_as, monkeypatch, django_capture_on_commit_callbacks):
    report, files, counterpart = closed_case
    _run(FIRST_REMOVED, django_capture_on_commit_callbacks)
    monkeypatch.setattr(timezone, "now", lambda: FIRST_REMOVED + datetime.timedelta(hours=9))
    response = client_as("desk").get(f"/reports/{report.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "保存期間を過ぎたため、証拠ファイルと相手方の個人情報を削除しました（令和13年4月1日 (2031-04-01)）" in page
    assert PLACEHOLDER in page and "山田太郎" not in page and "photo0.png" not in page
    # The reporter still reads their own report.
    assert client_as("staff").get(f"/reports/{report.pk}/").status_code == 200


def test_the_runs_page_lists_each_run_and_what_it_removed(
        closed_case, client_as, monkeypatch, django_capture_on_commit_callbacks):
    report, files, counterpart = closed_case
    _run(LAST_KEPT, django_capture_on_commit_callbacks)
    _run(FIRST_REMOVED, django_capture_on_commit_callbacks)
    assert RetentionRun.objects.count() == 2
    monkeypatch.setattr(timezone, "now", lambda: FIRST_REMOVED + datetime.timedelta(hours=9))
    for who in ("desk", "admin"):
        response = client_as(who).get("/queue/retention/")
        page = response.content.decode()
        assert response.status_code == 200
        assert f"No.{report.pk}" in page and "ファイル 2 件" in page and "相手方の氏名・名称" in page
        assert "令和13年4月1日 (2031-04-01) 00:00" in page
        assert "山田" not in page
    for who in ("staff", "chief", "director", "member"):
        assert client_as(who).get("/queue/retention/").status_code == 404


def test_the_nightly_task_is_scheduled_and_runs(settings, closed_case, monkeypatch,
                                                 django_capture_on_commit_callbacks):
    from incidents.tasks import apply_retention

    entry = settings.CELERY_BEAT_SCHEDULE["retention"]
    assert entry["task"] == "incidents.tasks.apply_retention"
    report, files, counterpart = closed_case
    monkeypatch.setattr(timezone, "now", lambda: FIRST_REMOVED)
    with django_capture_on_commit_callbacks(execute=True):
        assert apply_retention.delay().get() == 1
    assert IncidentReport.objects.get(pk=report.pk).counterpart_name == PLACEHOLDER


def test_the_letters_and_the_legal_report_of_the_case_lose_the_personal_data_too(
        closed_case, users, django_capture_on_commit_callbacks):
    from django.core.files.base import ContentFile

    from committee.models import AgendaItem, Decision, Letter, LetterTemplate, Meeting
    from support.models import LegalRequest

    report, files, counterpart = closed_case
    meeting = Meeting.objects.create(starts_at=CLOSED, created_by=users["desk"], title="第1回", place="会議室")
    item = AgendaItem.objects.create(meeting=meeting, report=report, position=1, added_by=users["desk"])
    decision = Decision.objects.create(item=item, report=report, judged="applicable", policy="警告書を送付",
                                       created_by=users["desk"], finalised_at=CLOSED)
    letter = Letter.objects.create(
        decision=decision, template=LetterTemplate.objects.first(), counterpart=counterpart, title="警告書",
        addressee="山田太郎 様", created_by=users["desk"],
        body="奥州市水沢大手町1-1\n山田太郎 様\n令和7年6月1日の窓口での言動について警告します。")
    legal = LegalRequest(report=report, requested_by=users["desk"], requester_section=users["desk"].section,
                         background="経緯", planned_response="警告", legal_issues="なし", report_file_name="報告書.pdf")
    legal.report_file.save("x", ContentFile(b"%PDF-1.4 report"), save=False)
    legal.save()
    stored = legal.report_file.name

    run = _run(FIRST_REMOVED, django_capture_on_commit_callbacks)
    letter.refresh_from_db()
    legal.refresh_from_db()
    assert letter.addressee == PLACEHOLDER
    assert "山田" not in letter.body and "大手町" not in letter.body
    assert "窓口での言動について警告します" in letter.body  # the letter's own text stays
    assert not legal.report_file and not legal.report_file.storage.exists(stored)
    assert legal.report_file_name == PLACEHOLDER and legal.background == "経緯"
    assert run.items[0]["letters"] == 1 and run.items[0]["files"] == 3


def test_the_command_counts_first_and_then_removes(closed_case, monkeypatch, django_capture_on_commit_callbacks):
    import io

    from django.core.management import call_command

    report, files, counterpart = closed_case
    monkeypatch.setattr(timezone, "now", lambda: FIRST_REMOVED)
    out = io.StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == ["closed before 2026-04-01: 1 to remove, 0 on legal hold",
                                           "consultations: 0 to remove, 0 on legal hold"]
    assert IncidentReport.objects.get(pk=report.pk).counterpart_name == "山田太郎"
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention", stdout=out)
    assert out.getvalue().splitlines() == ["removed 1 cases, 2 files, 1 counterparts; 0 on legal hold",
                                           "removed 0 consultations; 0 on legal hold"]
    assert not any(_stored(f) for f in files)
