"""下書きの削除 (issue 8, item 4): the reporter deletes their own draft through a confirmation page;
what it held is gone (evidence files from storage included), the row and its events stay so the
deletion is on record, and nobody — the reporter included — finds it anywhere afterwards.

Who may make the move from which state, at the service, is in the table of test_lifecycle.py."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from incidents import policies, services
from incidents.lifecycle import Status
from incidents.models import Attachment, EventAction, IncidentReport, ReportEvent, TimelineEntry
from tests.incidents.html import Page

ROLES = ["staff", "staff2", "chief", "director", "desk", "chair", "member", "admin"]


@pytest.fixture
def draft(users, make_report, make_attachment, colleague):
    """staff's draft with everything a draft can hold: 相手方, free text, 経過, 対応職員, two files."""
    report = make_report(
        users["staff"], status=Status.DRAFT, staff=[users["staff"], colleague], title="市民 太郎さんの件",
        counterpart_name="市民 太郎", counterpart_contact="090-0000-1111 市内本町1-2-3",
        counterpart_description="灰色の上着", remarks="自宅の場所を知っていると言われた", place="本庁舎1階",
    )
    services.refresh_search_text(report)
    services.record_event(report=report, actor=users["staff"], action=EventAction.CREATED, to_status=Status.DRAFT)
    for name in ("録音.png", "写真.png"):
        make_attachment(uploader=users["staff"], report=report, name=name)
    return report


def test_the_reporter_deletes_a_draft_through_a_confirmation_page(
    client_as, users, draft, django_capture_on_commit_callbacks
):
    staff = client_as("staff")
    files = [a.file.name for a in draft.attachments.all()]
    attachment_ids = [a.pk for a in draft.attachments.all()]
    assert all(default_storage.exists(name) for name in files)

    detail = Page(staff.get(f"/reports/{draft.pk}/").content)
    link = detail.by_id("discard-link")
    confirm = staff.get(link.attrs["href"])
    page = Page(confirm.content)
    with django_capture_on_commit_callbacks(execute=True):
        deleted = staff.post(f"/reports/{draft.pk}/discard/", {k: v[0] for k, v in page.form_data("discard-form").items()})
    landing = staff.get(deleted["Location"])

    assert (link.text, link.attrs["href"]) == ("この下書きを削除", f"/reports/{draft.pk}/discard/")
    assert confirm.status_code == 200
    warning = page.by_id("discard-warning").text
    assert "削除すると元に戻せません。" in warning
    assert "添付した証拠資料 2 件" in warning and "経過記録 1 行" in warning
    assert "あなたも含めて誰も開けなくなり" in warning
    assert page.by_id("discard-form").attrs["method"] == "post"
    assert (deleted.status_code, deleted["Location"]) == (302, "/reports/")
    assert "下書き「市民 太郎さんの件」を削除しました。" in landing.content.decode()
    assert str(draft.pk) not in [row.find("td").text for row in Page(landing.content).find_all("tr") if row.find("td")]
    # What it held is gone: the files from storage, the rows, every field.
    assert not any(default_storage.exists(name) for name in files)
    assert not Attachment.objects.filter(pk__in=attachment_ids).exists()
    assert not TimelineEntry.objects.filter(report_id=draft.pk).exists()
    row = IncidentReport.objects.get(pk=draft.pk)
    assert row.status == Status.DISCARDED
    assert (row.title, row.counterpart_name, row.counterpart_contact, row.counterpart_description, row.conduct,
            row.demand, row.remarks, row.place, row.search_text) == ("",) * 9
    assert (row.occurred_start, row.occurred_end, row.staff_count, row.counterpart_count) == (None,) * 4
    assert not row.staff_members.exists() and not row.harassment_types.exists()
    assert (row.reporter, row.section, row.created_at) == (draft.reporter, draft.section, draft.created_at)
    # … and the deletion is on record, after everything that came before.
    events = list(ReportEvent.objects.filter(report_id=draft.pk).order_by("at", "id"))
    assert [e.action for e in events] == ["created", "viewed", "viewed", "discarded"]
    last = events[-1]
    assert (last.actor, last.from_status, last.to_status) == (users["staff"], Status.DRAFT, Status.DISCARDED)
    assert last.detail == {"removed": {"attachments": 2, "timeline": 1}}


def test_files_stay_when_the_deletion_is_refused(users, draft, django_capture_on_commit_callbacks):
    files = [a.file.name for a in draft.attachments.all()]

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.Conflict):
        services.transition(report=draft, name="discard", actor=users["staff"], version=draft.version + 1)

    assert all(default_storage.exists(name) for name in files)
    assert draft.attachments.count() == 2


@pytest.mark.parametrize("role", ROLES)
def test_after_deletion_every_page_answers_404_to_everyone(client_as, users, draft, role):
    attachment = draft.attachments.first()
    services.transition(report=draft, name="discard", actor=users["staff"])
    client = client_as(role)

    answers = {
        url: client.get(url).status_code
        for url in (f"/reports/{draft.pk}/", f"/reports/{draft.pk}/print/", f"/reports/{draft.pk}/edit/",
                    f"/reports/{draft.pk}/discard/", f"/reports/evidence/{attachment.pk}/")
    }
    answers["move"] = client.post(f"/reports/{draft.pk}/move/submit/", {"version": draft.version}).status_code

    assert set(answers.values()) == {404}, answers


def test_a_discarded_report_is_in_no_list_queue_or_count(client_as, users, make_report):
    # Made discarded directly, its content still there: only the rules can hide it.
    gone = make_report(users["staff"], status=Status.DISCARDED, title="消した下書き")
    kept = make_report(users["staff"], title="提出した件")

    for role in ("staff", "chief", "director", "desk"):
        user = users[role]
        assert gone not in policies.visible_reports(user), role
        assert gone not in policies.queue_reports(user), role
        assert policies.queue_reports(user).filter(status=Status.DISCARDED).count() == 0
        client = client_as(role)
        for url in ("/", "/reports/", "/reports/?scope=visible", "/queue/?tab=all"):
            response = client.get(url)
            assert response.status_code in (200, 404), (role, url)
            assert "消した下書き" not in response.content.decode(), (role, url)
    assert kept in policies.queue_reports(users["desk"])
    assert "提出した件" in client_as("staff").get("/reports/").content.decode()


@pytest.mark.parametrize("role", [r for r in ROLES if r != "staff"])
def test_nobody_but_the_reporter_may_delete_a_draft(client_as, draft, role):
    client = client_as(role)

    opened = client.get(f"/reports/{draft.pk}/discard/")
    posted = client.post(f"/reports/{draft.pk}/discard/", {"version": draft.version})

    assert (opened.status_code, posted.status_code) == (404, 404)
    draft.refresh_from_db()
    assert (draft.status, draft.title, draft.attachments.count()) == (Status.DRAFT, "市民 太郎さんの件", 2)


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.RETURNED, Status.CLOSED])
def test_a_report_once_submitted_cannot_be_deleted_by_its_reporter(client_as, users, make_report, status):
    report = make_report(users["staff"], status=status, title="提出した件")
    staff = client_as("staff")

    detail = Page(staff.get(f"/reports/{report.pk}/").content)
    opened = staff.get(f"/reports/{report.pk}/discard/", follow=True)
    posted = staff.post(f"/reports/{report.pk}/discard/", {"version": report.version})

    assert detail.by_id("discard-link") is None
    assert opened.redirect_chain == [(f"/reports/{report.pk}/", 302)]
    assert f"この連絡票は「{report.get_status_display()}」のため削除できません。" in opened.content.decode()
    assert (posted.status_code, posted["Location"]) == (302, f"/reports/{report.pk}/")
    report.refresh_from_db()
    assert (report.status, report.title) == (status, "提出した件")
    assert not ReportEvent.objects.filter(report=report, action=EventAction.DISCARDED).exists()


def test_deletion_is_post_only_and_a_second_press_lands_on_my_reports(client_as, draft):
    staff = client_as("staff")

    assert staff.put(f"/reports/{draft.pk}/discard/").status_code == 405
    first = staff.post(f"/reports/{draft.pk}/discard/", {"version": draft.version})
    second = staff.post(f"/reports/{draft.pk}/discard/", {"version": draft.version}, follow=True)

    assert (first.status_code, first["Location"]) == (302, "/reports/")
    assert second.redirect_chain == [("/reports/", 302)]
    assert "この下書きはすでに削除しています。" in second.content.decode()
    assert ReportEvent.objects.filter(report_id=draft.pk, action=EventAction.DISCARDED).count() == 1


def test_a_draft_changed_in_another_window_is_deleted_only_when_confirmed_again(client_as, users, draft, report_data):
    staff = client_as("staff")
    opened = Page(staff.get(f"/reports/{draft.pk}/discard/").content).form_data("discard-form")
    staff.post(f"/reports/{draft.pk}/edit/", report_data(action="save", report=draft, title="別の画面で直した"))

    refused = staff.post(f"/reports/{draft.pk}/discard/", {k: v[0] for k, v in opened.items()})
    again = Page(refused.content).form_data("discard-form")
    deleted = staff.post(f"/reports/{draft.pk}/discard/", {k: v[0] for k, v in again.items()})

    assert refused.status_code == 409
    assert "この下書きは、この画面を開いた後に別の画面で変更されました" in refused.content.decode()
    assert "別の画面で直した" in refused.content.decode()
    assert (deleted.status_code, deleted["Location"]) == (302, "/reports/")
    assert IncidentReport.objects.get(pk=draft.pk).status == Status.DISCARDED


def test_a_draft_submitted_in_another_window_is_not_deleted(client_as, users, draft):
    staff = client_as("staff")
    opened = Page(staff.get(f"/reports/{draft.pk}/discard/").content).form_data("discard-form")
    services.transition(report=draft, name="submit", actor=users["staff"])

    refused = staff.post(f"/reports/{draft.pk}/discard/", {k: v[0] for k, v in opened.items()}, follow=True)

    assert refused.redirect_chain == [(f"/reports/{draft.pk}/", 302)]
    assert "この連絡票は「提出済み」のため削除できません。" in refused.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.attachments.count()) == (Status.SUBMITTED, 2)
