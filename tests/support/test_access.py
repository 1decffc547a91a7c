"""Who may open which page of a request (support/policies.py), as one table of roles × pages.

The case (a submitted report of 市民課 by ``staff``) is read by its reporter, the 所属長 of 市民課, the
部長 of 市民環境部 and the 相談窓口; they read its requests too. Besides them the 総務課長 reads the
法律相談依頼 (the 総務課 arranges it) and the 所属長 of 契約管財課 the 庁舎管理 request — never the
case itself. Everyone else gets 404 and nothing of the text.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from support import services
from support.models import BuildingState, LegalState, SupportEvent
from tests.incidents.conftest import pdf_bytes
from tests.support.conftest import BACKGROUND, DETAILS

ROLES = ["staff", "staff2", "chief", "chief2", "director", "desk", "gachief", "gadir", "chair", "member", "admin",
         "kanzai"]
Y, N = 200, 404
# fmt: off
TABLE = {
    #            case  legal  legal print  legal file  building  new legal  new building
    "staff":    (Y,    Y,     Y,           Y,          Y,        N,         N),   # the reporter
    "staff2":   (N,    N,     N,           N,          N,        N,         N),
    "chief":    (Y,    Y,     Y,           Y,          Y,        Y,         Y),   # 所属長 of 市民課
    "chief2":   (N,    N,     N,           N,          N,        N,         N),
    "director": (Y,    Y,     Y,           Y,          Y,        N,         N),   # 部長 of 市民環境部
    "desk":     (Y,    Y,     Y,           Y,          Y,        Y,         Y),
    "gachief":  (N,    Y,     Y,           Y,          N,        N,         N),   # 総務課長: the legal request only
    "gadir":    (N,    N,     N,           N,          N,        N,         N),
    "chair":    (N,    N,     N,           N,          N,        N,         N),
    "member":   (N,    N,     N,           N,          N,        N,         N),
    "admin":    (N,    N,     N,           N,          N,        N,         N),
    "kanzai":   (N,    N,     N,           N,          Y,        N,         N),   # 契約管財課長: the building request only
}
# fmt: on
PAGES = ["case", "legal", "legal print", "legal file", "building", "new legal", "new building"]
CASES = [(role, page, TABLE[role][i]) for role in ROLES for i, page in enumerate(PAGES)]


@pytest.fixture
def requests_of_case(users, case, make_legal, make_building, kanzai):
    legal = make_legal()
    services.arrange_legal(request=legal, actor=users["gachief"], scheduled_at=case.occurred_start,
                           lawyer="山本 弁護士")
    services.hold_legal(request=legal, actor=users["desk"], held_on=case.occurred_start.date())
    upload = SimpleUploadedFile("報告書.pdf", pdf_bytes(), content_type="application/pdf")
    services.attach_legal_report(request=legal, actor=users["desk"], upload=upload)
    return legal, make_building()


@pytest.mark.parametrize(("role", "page", "expected"), CASES, ids=[f"{r}-{p}" for r, p, _ in CASES])
def test_who_may_open_which_page(client, users, kanzai, case, requests_of_case, role, page, expected):
    legal, building = requests_of_case
    user = kanzai if role == "kanzai" else users[role]
    client.force_login(user)
    url = {
        "case": f"/reports/{case.pk}/",
        "legal": f"/support/legal/{legal.pk}/",
        "legal print": f"/support/legal/{legal.pk}/print/",
        "legal file": f"/support/legal/{legal.pk}/file/",
        "building": f"/support/building/{building.pk}/",
        "new legal": f"/support/legal/new/{case.pk}/",
        "new building": f"/support/building/new/{case.pk}/",
    }[page]

    response = client.get(url)

    assert response.status_code == expected, f"{role} opening {page}"
    if page in ("legal", "legal print"):
        assert (BACKGROUND in response.content.decode()) == (expected == Y)
    if page == "building":
        assert (DETAILS in response.content.decode()) == (expected == Y)


def test_the_case_page_shows_its_requests_and_their_steps_to_the_cases_readers(client, users, case, requests_of_case):
    legal, building = requests_of_case
    for role in ("staff", "chief", "director", "desk"):
        client.force_login(users[role])
        page = client.get(f"/reports/{case.pk}/").content.decode()
        assert f'href="/support/legal/{legal.pk}/"' in page, role
        assert f'href="/support/building/{building.pk}/"' in page, role
        assert "法律相談の報告書の提出" in page and "庁舎管理への依頼" in page, role
        assert ('id="legal-new-link"' in page) == (role in ("chief", "desk")), role


def test_the_building_sections_chief_reads_the_request_but_not_the_case(client, case, kanzai, requests_of_case):
    _legal, building = requests_of_case
    client.force_login(kanzai)

    page = client.get(f"/support/building/{building.pk}/").content.decode()

    assert DETAILS in page and "本庁舎1階 市民課窓口" in page
    assert case.conduct not in page and case.title not in page
    assert f'href="/reports/{case.pk}/"' not in page
    assert client.get(f"/reports/{case.pk}/").status_code == 404


@pytest.mark.parametrize("role", ["staff2", "chief2", "gadir", "chair", "member", "admin"])
def test_outsiders_cannot_post_to_a_request_either(client, users, requests_of_case, role):
    legal, building = requests_of_case
    client.force_login(users[role])
    for url, data in [
        (f"/support/legal/{legal.pk}/withdraw/", {"reason": "x"}),
        (f"/support/legal/{legal.pk}/arrange/", {"scheduled_at": "2025-07-01T10:00", "lawyer": "x"}),
        (f"/support/building/{building.pk}/answer/", {"answer": "x"}),
        (f"/support/building/{building.pk}/withdraw/", {"reason": "x"}),
    ]:
        assert client.post(url, data).status_code == 404, url
    legal.refresh_from_db()
    building.refresh_from_db()
    assert (legal.state, building.state) == (LegalState.REPORTED, BuildingState.REQUESTED)


def test_a_reader_who_may_not_make_a_move_gets_404_for_it(client, users, requests_of_case):
    """The reporter reads the building request, but answering it is the building 課's."""
    _legal, building = requests_of_case
    client.force_login(users["staff"])
    assert client.post(f"/support/building/{building.pk}/answer/", {"answer": "x"}).status_code == 404
    building.refresh_from_db()
    assert building.answer == ""


def test_every_view_print_and_download_is_an_audit_event(client, users, requests_of_case):
    legal, _building = requests_of_case
    client.force_login(users["gachief"])
    client.get(f"/support/legal/{legal.pk}/")
    client.get(f"/support/legal/{legal.pk}/print/")
    client.get(f"/support/legal/{legal.pk}/file/")

    reads = list(SupportEvent.objects.filter(legal_request=legal, actor=users["gachief"])
                 .exclude(action="legal_arranged").values_list("action", flat=True))
    assert reads == ["viewed", "printed", "file_downloaded"]


def test_an_unknown_request_answers_404(client, users):
    client.force_login(users["desk"])
    assert client.get("/support/legal/999999/").status_code == 404
    assert client.get("/support/building/999999/").status_code == 404
    assert client.get("/support/legal/new/999999/").status_code == 404
