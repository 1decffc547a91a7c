"""What a probe of the landed report found, each fixed: forms posted twice or stale, floods of
rows and choices, dates outside any sane window, titles of unreadable linked reports, uploads
without a quota, malformed ids, and access given silently by naming a 対応職員."""

from __future__ import annotations

import stat
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from incidents import services
from incidents.lifecycle import Status
from incidents.models import Attachment, EventAction, IncidentReport, ReportEvent, TimelineEntry
from tests.incidents.conftest import png_bytes
from tests.incidents.html import Page


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# -- 1. a form posted twice, a stale form ---------------------------------------------------------

def test_a_new_report_posted_twice_is_one_report_and_the_second_answer_points_at_it(staff_client, report_data):
    data = report_data(action="save", form_token=str(uuid.uuid4()))

    first = staff_client.post("/reports/new/", data)
    second = staff_client.post("/reports/new/", data, follow=True)

    report = IncidentReport.objects.get()
    assert first["Location"] == f"/reports/{report.pk}/edit/"
    assert second.redirect_chain == [(f"/reports/{report.pk}/edit/", 302)]
    assert "この送信はすでに受け付けています（二重送信）" in second.content.decode()
    assert ReportEvent.objects.filter(action=EventAction.CREATED).count() == 1


def test_two_forms_opened_separately_make_two_reports(staff_client, report_data):
    staff_client.post("/reports/new/", report_data(action="save", form_token=str(uuid.uuid4())))
    staff_client.post("/reports/new/", report_data(action="save", form_token=str(uuid.uuid4())))

    assert IncidentReport.objects.count() == 2


def test_the_page_carries_a_fresh_token_and_the_version_it_was_opened_at(staff_client, users, make_report):
    draft = make_report(users["staff"], status=Status.DRAFT)
    IncidentReport.objects.filter(pk=draft.pk).update(version=7)

    first = Page(staff_client.get(f"/reports/{draft.pk}/edit/").content).form_data()
    again = Page(staff_client.get(f"/reports/{draft.pk}/edit/").content).form_data()

    assert first["version"] == ["7"]
    assert uuid.UUID(first["form_token"][0]) != uuid.UUID(again["form_token"][0])


def test_a_stale_form_is_told_of_the_conflict_keeps_the_text_and_a_second_save_overwrites(
    staff_client, users, make_report, report_data
):
    draft = make_report(users["staff"], status=Status.DRAFT)
    other_tab = report_data(action="save", report=draft, form_token=str(uuid.uuid4()), remarks="別のタブ")
    this_tab = report_data(action="save", report=draft, form_token=str(uuid.uuid4()), remarks="このタブで書いた備考")
    staff_client.post(f"/reports/{draft.pk}/edit/", other_tab)

    refused = staff_client.post(f"/reports/{draft.pk}/edit/", this_tab)

    assert refused.status_code == 409
    page = Page(refused.content)
    assert "別の画面で変更されました" in page.by_id("form-errors").text
    kept = page.form_data()
    assert kept["remarks"] == ["このタブで書いた備考"]
    draft.refresh_from_db()
    assert draft.remarks == "別のタブ"
    # The page now carries the current version: saving again is a deliberate overwrite.
    again = staff_client.post(f"/reports/{draft.pk}/edit/", {**this_tab, "version": kept["version"][0]})
    assert again.status_code == 302
    draft.refresh_from_db()
    assert draft.remarks == "このタブで書いた備考"


def test_a_save_never_writes_the_status_even_from_a_form_opened_before_submission(users, make_report, report_data):
    """The old bug: ``form.save()`` wrote back every column, a stale 下書き status included."""
    from tests.incidents.test_services import bound_form

    staff = users["staff"]
    draft = make_report(staff, status=Status.DRAFT)
    token = str(uuid.uuid4())
    save_form = bound_form(report_data(action="save", form_token=token), user=staff, report=draft)
    submit_form = bound_form(report_data(action="submit", form_token=token), user=staff, report=draft)

    assert services.save_report(actor=staff, form=submit_form).outcome == services.Outcome.SUBMITTED
    late = services.save_report(actor=staff, form=save_form)

    assert (late.outcome, late.report.pk) == (services.Outcome.DUPLICATE, draft.pk)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_a_move_made_elsewhere_makes_an_open_form_stale(users, make_report, report_data):
    from tests.incidents.test_services import bound_form

    staff = users["staff"]
    draft = make_report(staff, status=Status.DRAFT)
    token = str(uuid.uuid4())
    services.save_report(
        actor=staff, form=bound_form(report_data(action="save", form_token=token, staff_count="1"), user=staff, report=draft)
    )
    opened = bound_form(report_data(action="save", form_token=token, title="後から"), user=staff, report=draft)
    services.transition(report=draft, name="submit", actor=staff)  # e.g. from another tab

    assert services.save_report(actor=staff, form=opened).outcome == services.Outcome.CONFLICT
    assert "「提出済み」になったため" in opened.non_field_errors()[0]


# -- 2. floods of rows and choices ----------------------------------------------------------------

def test_two_thousand_timeline_rows_are_refused_quickly_with_a_message(staff_client, report_data):
    data = report_data(action="save")
    data["timeline-TOTAL_FORMS"] = "2000"

    started = time.perf_counter()
    response = staff_client.post("/reports/new/", data)
    elapsed = time.perf_counter() - started

    assert response.status_code == 400
    assert "経過記録は 50 行までです" in Page(response.content).by_id("bad-request-message").text
    assert elapsed < 0.5, f"{elapsed:.2f} s"  # no row is built: a small page, not 2,000 rendered rows
    assert len(response.content) < 20_000
    assert not IncidentReport.objects.exists()


def test_a_malformed_row_count_answers_400_not_500(staff_client, report_data):
    for value in ("abc", "-1", "１０", ""):
        data = report_data(action="save")
        data["timeline-TOTAL_FORMS"] = value
        assert staff_client.post("/reports/new/", data).status_code == 400, value


def test_fifty_timeline_rows_are_accepted(staff_client, report_data):
    rows = [{"at": "2025-06-18T09:00", "description": f"経過{i}"} for i in range(50)]
    data = report_data(action="save", timeline=rows)
    data["timeline-TOTAL_FORMS"] = "50"

    assert staff_client.post("/reports/new/", data).status_code == 302
    assert TimelineEntry.objects.count() == 50


def test_the_add_row_button_knows_the_limit(staff_client):
    button = Page(staff_client.get("/reports/new/").content).by_id("add-timeline-row")

    assert button.attrs["data-max"] == "50"


def test_too_many_chosen_staff_are_refused_before_they_are_looked_up(staff_client, report_data):
    data = report_data(action="save", staff_members=[str(i) for i in range(1, 62)])

    response = staff_client.post("/reports/new/", data)

    assert response.status_code == 400
    assert Page(response.content).error_for("staff_members") == "選べるのは 50 件までです。"


def test_a_text_longer_than_ten_thousand_characters_is_refused_and_kept(staff_client, report_data):
    response = staff_client.post("/reports/new/", report_data(action="save", conduct="あ" * 10_001))

    assert response.status_code == 400
    page = Page(response.content)
    assert "10000" in page.error_for("conduct")
    assert page.form_data()["conduct"] == ["あ" * 10_001]


# -- 3. dates outside a sane window ---------------------------------------------------------------

WINDOW = "2000年1月1日から明日"


@pytest.mark.parametrize("field", ["occurred_start", "occurred_end", "police_called_at"])
@pytest.mark.parametrize("value", ["0001-01-01T00:00", "1999-12-31T23:59", "61123-01-01T00:00", "2999-01-01T00:00"])
def test_a_date_outside_the_window_is_refused_with_a_message_naming_it(staff_client, report_data, field, value):
    response = staff_client.post("/reports/new/", report_data(action="save", **{field: value}))

    assert response.status_code == 400
    # Out of the window, or not a date at all (year 61123): either way the message says what is expected.
    error = Page(response.content).error_for(field)
    assert WINDOW in error or "「2025-06-18 14:05」のように、年-月-日 時:分 の形で入力してください" in error
    assert not IncidentReport.objects.exists()


def test_a_timeline_row_dated_year_one_is_refused(staff_client, report_data):
    rows = [{"at": "0001-01-01T00:00", "description": "おかしな日付"}]

    response = staff_client.post("/reports/new/", report_data(action="save", timeline=rows))

    assert response.status_code == 400
    assert WINDOW in Page(response.content).error_for("timeline-0-at")


def test_the_database_itself_refuses_an_unreadable_date(users, make_report):
    report = make_report(users["staff"])
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentReport.objects.filter(pk=report.pk).update(occurred_start=datetime(1, 1, 2, tzinfo=UTC))
    with pytest.raises(IntegrityError), transaction.atomic():
        TimelineEntry.objects.create(report=report, at=datetime(1, 1, 2, tzinfo=UTC), description="x")


def test_pages_render_the_oldest_and_newest_dates_a_row_can_hold(client_as, users, make_report):
    """Data can arrive by the admin or an import, outside the form's window: pages still answer."""
    oldest, newest = datetime(1900, 1, 1, tzinfo=UTC), datetime(2999, 12, 30, 23, tzinfo=UTC)
    report = make_report(users["staff"], occurred_start=oldest, occurred_end=newest)
    TimelineEntry.objects.create(report=report, at=oldest, description="最古")
    draft = make_report(users["staff"], status=Status.DRAFT, occurred_start=newest, occurred_end=newest)

    staff, desk = client_as("staff"), client_as("desk")
    for client, url in [
        (staff, "/"), (staff, "/reports/"), (staff, "/reports/new/"), (staff, f"/reports/{draft.pk}/edit/"),
        (desk, f"/reports/{report.pk}/"), (desk, f"/reports/{report.pk}/print/"), (desk, "/reports/?scope=visible"),
    ]:
        assert client.get(url).status_code == 200, url


# -- 4. linked reports ----------------------------------------------------------------------------

def test_a_linked_report_is_shown_only_to_those_who_may_open_it(client_as, users, make_report, colleague):
    staff = users["staff"]
    earlier = make_report(colleague, title="同僚の以前の報告")
    draft = make_report(staff, status=Status.DRAFT, title="本人の下書き")
    report = make_report(staff, title="今回の報告", staff=[staff, users["staff2"]])
    report.related_reports.set([earlier, draft])

    chief = Page(client_as("chief").get(f"/reports/{report.pk}/").content)
    staff2 = client_as("staff2").get(f"/reports/{report.pk}/").content.decode()

    related = chief.by_id("related-reports")
    assert "同僚の以前の報告" in related.text  # chief reads 市民課's submitted reports
    assert "本人の下書き" not in related.text  # a draft is its reporter's alone
    assert "閲覧する権限のない報告が 1 件" in related.text
    assert "同僚の以前の報告" not in staff2 and "本人の下書き" not in staff2
    assert "閲覧する権限のない報告が 2 件" in staff2
    printed = client_as("staff2").get(f"/reports/{report.pk}/print/").content.decode()
    assert "同僚の以前の報告" not in printed


def test_only_submitted_reports_can_be_linked(staff_client, users, make_report, report_data):
    staff = users["staff"]
    own_draft = make_report(staff, status=Status.DRAFT, title="別の下書き")
    submitted = make_report(staff, title="提出済みの報告")

    page = Page(staff_client.get("/reports/new/").content)
    choices = {n.attrs["value"] for n in page.find_all("input", name="related_reports")}
    refused = staff_client.post("/reports/new/", report_data(action="save", related_reports=[str(own_draft.pk)]))

    assert choices == {str(submitted.pk)}
    assert refused.status_code == 400
    assert "related_reports" in Page(refused.content).fields_with_errors()


# -- 5. upload quotas and file modes --------------------------------------------------------------

def test_files_beyond_the_per_report_count_are_refused_and_the_rest_kept(staff_client, settings, report_data):
    settings.KASUHARA_MAX_FILES_PER_REPORT = 2
    files = [upload(f"写真{i}.png", png_bytes()) for i in range(3)]

    response = staff_client.post("/reports/new/", {**report_data(action="save"), "evidence": files})

    assert response.status_code == 400
    assert "「写真2.png」は添付できませんでした（1件の連絡票に添付できるのは 2 ファイルまでです）。" in (
        Page(response.content).error_for("evidence")
    )
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == ["写真0.png", "写真1.png"]


def test_files_beyond_the_per_report_size_are_refused_while_the_request_is_read(staff_client, settings, report_data):
    settings.KASUHARA_MAX_REPORT_UPLOAD_MB = 1
    half = png_bytes() + b"\x00" * (600 * 1024)

    response = staff_client.post("/reports/new/", {**report_data(action="save"), "evidence": [
        upload("一つ目.png", half), upload("二つ目.png", half)]})

    assert response.status_code == 400
    assert "「二つ目.png」は添付できませんでした（1件の連絡票に添付できるのは合計 1 MB までです）。" in (
        Page(response.content).error_for("evidence")
    )
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["一つ目.png"]


def test_a_user_cannot_park_more_unsaved_files_than_the_per_user_limit(staff_client, settings, users, report_data,
                                                                        make_attachment):
    settings.KASUHARA_MAX_PENDING_FILES_PER_USER = 3
    for _ in range(3):
        make_attachment(uploader=users["staff"])  # staged by other refused forms

    response = staff_client.post("/reports/new/", {**report_data(action="save"), "evidence": upload("新しい.png", png_bytes())})

    assert response.status_code == 400
    assert "保存前の添付ファイルが上限（3 ファイル" in Page(response.content).error_for("evidence")
    assert Attachment.objects.filter(original_name="新しい.png").count() == 0


def test_evidence_files_and_folders_are_readable_by_the_app_user_only(staff_client, report_data):
    staff_client.post("/reports/new/", {**report_data(action="save"), "evidence": upload("p.png", png_bytes())})

    stored = Path(Attachment.objects.get().file.path)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(stored.parent.parent.stat().st_mode) == 0o700


# -- 6. malformed ids -----------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["²", "¹", "①", "１", "1e3", "-1", "9" * 40])
def test_a_malformed_staged_id_answers_400(staff_client, report_data, value):
    response = staff_client.post("/reports/new/", {**report_data(action="save"), "staged": value})

    assert response.status_code == 400
    assert not IncidentReport.objects.exists()


# -- 7. naming a 対応職員 is on record --------------------------------------------------------------

def test_naming_a_colleague_of_another_section_is_recorded_and_shown(client_as, users, report_data):
    staff, staff2 = users["staff"], users["staff2"]
    client = client_as("staff")

    client.post("/reports/new/", report_data(staff_members=[str(staff.pk), str(staff2.pk)]))

    report = IncidentReport.objects.get()
    event = ReportEvent.objects.get(action=EventAction.STAFF_ADDED)
    assert (event.actor, event.detail) == (staff, {"user": staff2.pk, "name": str(staff2)})
    history = Page(client.get(f"/reports/{report.pk}/").content).by_id("history").text
    assert f"対応職員に追加（閲覧できるようになる）　{staff}" not in history
    assert f"対応職員に追加（閲覧できるようになる）：{staff2}" in history


def test_removing_a_named_colleague_is_recorded(client_as, users, make_report, report_data):
    staff, colleague_ = users["staff"], users["staff2"]
    draft = make_report(staff, status=Status.DRAFT, staff=[staff, colleague_])

    client_as("staff").post(f"/reports/{draft.pk}/edit/", report_data(action="save", report=draft,
                                                                      staff_members=[str(staff.pk)]))

    event = ReportEvent.objects.get(report=draft, action=EventAction.STAFF_REMOVED)
    assert event.detail["user"] == colleague_.pk
    assert not ReportEvent.objects.filter(action=EventAction.STAFF_ADDED).exists()

