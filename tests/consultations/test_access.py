"""Who may open which consultation (consultations/policies.py), as one table.

A consultation is confidential: the 相談窓口 and its author read it; the author's 所属長 and 部長 only
when the author chose to share it. Everyone else gets 404, 管理者 and 委員 included.
"""

from __future__ import annotations

import pytest

from consultations import policies, selectors
from consultations.models import Consultation

ROLES = ["staff", "staff2", "chief", "director", "desk", "chair", "member", "admin"]
Y, N = 200, 404
# fmt: off
TABLE = {
    #            not shared  shared
    "staff":    (Y,          Y),      # the author
    "staff2":   (N,          N),
    "chief":    (N,          Y),      # 所属長 of 市民課, the author's 課
    "director": (N,          Y),      # 部長 of 市民環境部, the author's 部
    "desk":     (Y,          Y),
    "chair":    (N,          N),
    "member":   (N,          N),
    "admin":    (N,          N),
}
# fmt: on
CASES = [(role, shared, TABLE[role][shared]) for role in ROLES for shared in (False, True)]


@pytest.mark.parametrize(("role", "shared", "expected"), CASES,
                         ids=[f"{r}-{'shared' if s else 'private'}" for r, s, _ in CASES])
def test_who_may_open_which_consultation(client, users, make_consultation, role, shared, expected):
    consultation = make_consultation(share_with_supervisors=shared)
    client.force_login(users[role])

    response = client.get(f"/consultations/{consultation.pk}/")

    assert response.status_code == expected, f"{role} opening a {'shared' if shared else 'private'} consultation"
    assert (consultation.what_happened in response.content.decode()) == (expected == Y)
    visible = policies.visible_consultations(users[role]).filter(pk=consultation.pk).exists()
    assert visible == (expected == Y)


@pytest.mark.parametrize("role", ["staff2", "chair", "member", "admin", "chief", "director"])
def test_outsiders_cannot_post_to_it_either(client, users, consultation, role):
    client.force_login(users[role])
    for name in ("answer", "note", "close", "link", "make-report"):
        response = client.post(f"/consultations/{consultation.pk}/{name}/", {"text": "x", "body": "x"})
        assert response.status_code == 404, name
    assert not consultation.events.exclude(action__in=["created"]).exists()


def test_a_shared_consultation_of_another_section_stays_private(client, users, neighbour, make_consultation):
    """The 所属長 of 市民課 does not read what a 職員 of 生活環境課 shared; that 課's 部長 does."""
    consultation = make_consultation(author=neighbour, share_with_supervisors=True)
    client.force_login(users["chief"])
    assert client.get(f"/consultations/{consultation.pk}/").status_code == 404
    client.force_login(users["director"])
    assert client.get(f"/consultations/{consultation.pk}/").status_code == 200


def test_supervisors_see_no_history_and_no_desk_forms(client, users, make_consultation):
    consultation = make_consultation(share_with_supervisors=True)
    client.force_login(users["chief"])
    body = client.get(f"/consultations/{consultation.pk}/").content.decode()
    assert 'id="history"' not in body
    assert 'id="answer-form"' not in body
    assert 'id="link-form"' not in body


def test_lists_show_only_what_the_user_may_read(client, users, make_consultation):
    private = make_consultation(what_happened="非公開の相談")
    shared = make_consultation(what_happened="共有した相談", share_with_supervisors=True)
    other = make_consultation(author=users["staff2"], what_happened="福祉課の相談")

    assert set(selectors.my_consultations(users["staff"])) == {private, shared}
    assert list(selectors.shared_with_me(users["chief"])) == [shared]
    assert set(selectors.shared_with_me(users["director"])) == {shared}
    assert set(policies.visible_consultations(users["desk"])) == {private, shared, other}
    for role in ("chair", "member", "admin", "staff2"):
        assert private not in policies.visible_consultations(users[role])

    client.force_login(users["chief"])
    body = client.get("/consultations/").content.decode()
    assert f"/consultations/{shared.pk}/" in body
    assert f"/consultations/{private.pk}/" not in body
    client.force_login(users["staff2"])
    body = client.get("/consultations/").content.decode()
    assert f"/consultations/{other.pk}/" in body
    assert f"/consultations/{private.pk}/" not in body


def test_missing_consultation_is_404(client, users):
    client.force_login(users["desk"])
    assert client.get("/consultations/999999/").status_code == 404
    assert not Consultation.objects.exists()
