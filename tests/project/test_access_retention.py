"""The access table of the 保存期間 pages (issue 14): every demo role on the runs page, allowed
(200) or 404; and the legal hold's two forms on a case page, which only the 相談窓口 may post."""

from __future__ import annotations

from django.core.management import call_command

from tests.project.test_access_counter_to_case import ROLES, force_sign_in, wrong_statuses

#: The runs page holds case numbers, field names and counts (no personal data).
RUNS = frozenset({"desk", "desk2", "admin", "auditor"})


def pages() -> dict[str, frozenset[str]]:
    return {
        "/queue/retention/": RUNS,
        "/queue/retention/?page=2": RUNS,  # past the last page: the last page
    }


def test_every_role_opens_what_it_may_and_gets_404_elsewhere(db, settings):
    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)
    assert wrong_statuses(pages(), force_sign_in) == []


def test_only_the_desk_may_hold_or_release_a_case(db, settings):
    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=None)
    from incidents.lifecycle import Status
    from incidents.models import IncidentReport

    report = IncidentReport.objects.filter(status=Status.CLOSED).first()
    wrong = []
    for role in ROLES:
        status = force_sign_in(role).post(f"/reports/{report.pk}/change/hold/", {"reason": "警察の捜査"}).status_code
        expected = 302 if role in {"desk", "desk2"} else 404
        if status != expected:
            wrong.append(f"{role}: {status}, expected {expected}")
        if status == 302:  # lift it again for the next role
            force_sign_in(role).post(f"/reports/{report.pk}/change/release/", {"reason": "終結"})
    assert wrong == []
    assert not IncidentReport.objects.get(pk=report.pk).legal_hold
