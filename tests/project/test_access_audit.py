"""The access table of the audit viewer (issue 14): every demo role on /audit/ and its export —
the 監査 only; everyone else, the 管理者 included, gets 404 — and the 監査 reads no report."""

from __future__ import annotations

from django.core.management import call_command

from tests.project.test_access_counter_to_case import force_sign_in, wrong_statuses

AUDITOR = frozenset({"auditor"})


def pages() -> dict[str, frozenset[str]]:
    return {
        "/audit/": AUDITOR,
        "/audit/?actor=desk&action=viewed": AUDITOR,
        "/audit/export/": AUDITOR,
    }


def test_every_role_opens_what_it_may_and_gets_404_elsewhere(db, settings):
    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)
    assert wrong_statuses(pages(), force_sign_in) == []


def test_the_auditor_reads_no_report(db, settings):
    from incidents.models import IncidentReport

    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)
    client = force_sign_in("auditor")
    reports = list(IncidentReport.objects.values_list("pk", flat=True))
    assert reports
    assert {client.get(f"/reports/{pk}/").status_code for pk in reports} == {404}


def test_before_sign_in_the_audit_viewer_sends_to_the_login(client, db):
    for path in ("/audit/", "/audit/export/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), path
