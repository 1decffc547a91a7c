"""/inbox/: the list, the unread count in every page's header, opening a notice (read, then its
case), marking read, and each person's choice of e-mail per kind. A notice is its recipient's alone."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import services as report_services
from incidents.lifecycle import Status
from notifications.kinds import Kind
from notifications.models import Notice, NoticePreference

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(users, make_report):
    """A report staff submitted: desk, desk2 and chief each have a notice of it."""
    draft = make_report(users["staff"], status=Status.DRAFT, counterpart_name="山田 太郎")
    return report_services.transition(report=draft, name="submit", actor=users["staff"])


def badge(html: str) -> str:
    match = re.search(r'id="inbox-badge"[^>]*>(\d+)', html)
    return match.group(1) if match else ""


def test_the_header_shows_the_unread_count_on_every_page(report, client_as):
    desk = client_as("desk")
    for url in ("/", "/queue/", "/manual/", f"/reports/{report.pk}/"):
        assert badge(desk.get(url).content.decode()) == "1", url
    assert 'id="inbox-badge" hidden' in client_as("staff2").get("/").content.decode()


def test_the_unread_count_costs_one_query(report, client_as):
    desk = client_as("desk")
    with CaptureQueriesContext(connection) as page:
        desk.get("/manual/")
    counting = [q["sql"] for q in page.captured_queries if "notifications_notice" in q["sql"]]
    assert len(counting) == 1 and "COUNT(" in counting[0].upper()
    assert desk.get("/inbox/count/").json() == {"unread": 1}


def test_the_inbox_lists_ones_own_notices_by_case_number_only(report, client_as, users):
    page = client_as("desk").get("/inbox/").content.decode()
    assert f"発生連絡票が提出されました（No.{report.pk}）" in page
    assert "山田" not in page and str(users["staff"]) not in page
    assert f"No.{report.pk}" not in client_as("staff2").get("/inbox/").content.decode()


def test_opening_a_notice_marks_it_read_and_leads_to_its_case(report, client_as, users):
    notice = Notice.objects.get(recipient=users["desk"])
    desk = client_as("desk")

    response = desk.get(f"/inbox/{notice.pk}/")

    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert badge(desk.get("/").content.decode()) == "0"
    assert "未読のお知らせはありません" in desk.get("/inbox/?unread=1").content.decode()


def test_someone_elses_notice_answers_404_and_stays_unread(report, client_as, users):
    notice = Notice.objects.get(recipient=users["desk"])
    other = client_as("desk2")

    assert other.get(f"/inbox/{notice.pk}/").status_code == 404
    assert other.post(f"/inbox/{notice.pk}/read/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_one_read_and_mark_all_read(users, client_as, make_report):
    for _ in range(3):
        draft = make_report(users["staff"], status=Status.DRAFT)
        report_services.transition(report=draft, name="submit", actor=users["staff"])
    desk = client_as("desk")
    first = Notice.objects.filter(recipient=users["desk"]).first()

    response = desk.post(f"/inbox/{first.pk}/read/", {"next": "/inbox/?unread=1"})
    assert response.status_code == 302 and response["Location"] == "/inbox/?unread=1"
    assert desk.get("/inbox/count/").json() == {"unread": 2}
    assert desk.post(f"/inbox/{first.pk}/read/", {"next": "https://example.com/"})["Location"] == "/inbox/"

    response = desk.post("/inbox/read-all/", follow=True)
    assert "2 件のお知らせを既読にしました" in response.content.decode()
    assert desk.get("/inbox/count/").json() == {"unread": 0}
    assert Notice.objects.filter(recipient=users["desk2"], read_at__isnull=True).count() == 3  # theirs untouched


def test_each_person_chooses_e_mail_or_inbox_only_per_kind_urgent_always_both(users, client_as):
    client = client_as("staff")
    page = client.get("/inbox/settings/").content.decode()
    assert "連絡票の差戻し" in page and "メールと受信箱" in page and "受信箱のみ" in page
    assert "至急のお知らせ（いつもメールと受信箱）" in page

    fields = {kind: "email" for kind in Kind.values if kind != Kind.REPORT_URGENT}
    fields[Kind.REPORT_RETURNED] = "inbox"
    response = client.post("/inbox/settings/", fields)

    assert response.status_code == 302
    assert list(NoticePreference.objects.filter(user=users["staff"]).values_list("kind", "by_email")) == [
        (Kind.REPORT_RETURNED, False)
    ]
    again = client.get("/inbox/settings/").content.decode()
    assert re.search(r'name="report_returned" value="inbox"[^>]*checked', again)
    assert re.search(r'name="report_submitted" value="email"[^>]*checked', again)

    fields[Kind.REPORT_URGENT] = "inbox"  # not a field: urgent ones cannot be turned off
    fields[Kind.REPORT_RETURNED] = "fax"
    refused = client.post("/inbox/settings/", fields)
    assert refused.status_code == 400 and "選び直してください" in refused.content.decode()
    assert not NoticePreference.objects.filter(kind=Kind.REPORT_URGENT).exists()


def test_the_inbox_needs_a_signed_in_user(client):
    assert client.get("/inbox/")["Location"].startswith("/accounts/login/")
    assert client.get("/inbox/count/")["Location"].startswith("/accounts/login/")


def test_every_notice_of_the_demo_leads_its_recipient_to_a_page_they_may_open(db, settings):
    """The demo's history writes every kind of notice (urgent ones to the 総務課長 and the 委員長,
    escalations to the 総務部長, measures, meetings, consultations); following each one as its
    recipient never ends in a 404 — the case policy lets whoever was told to look read the case —
    while someone else following the same link gets 404."""
    from django.core.management import call_command
    from django.test import Client

    from organization.models import Section, User

    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)
    kinds = set(Notice.objects.values_list("kind", flat=True))
    assert {Kind.REPORT_URGENT, Kind.UNACCEPTED_2, Kind.UNACCEPTED_3, Kind.MEASURE_ASSIGNED, Kind.AGENDA_ADDED,
            Kind.CONSULTATION_ANSWERED} <= kinds

    clients = {}
    for notice in Notice.objects.select_related("recipient"):
        client = clients.setdefault(notice.recipient_id, Client())
        client.force_login(notice.recipient)
        response = client.get(f"/inbox/{notice.pk}/", follow=True)
        assert response.status_code == 200, (notice.kind, notice.recipient.username, notice.params)

    urgent = Notice.objects.filter(kind=Kind.REPORT_URGENT, recipient__username="gachief").first()
    outsider = Client()
    outsider.force_login(User.objects.create(username="zaisei", section=Section.objects.get(name="財政課")))
    assert outsider.get(f"/reports/{urgent.params['report']}/").status_code == 404
    assert outsider.get(f"/inbox/{urgent.pk}/").status_code == 404
