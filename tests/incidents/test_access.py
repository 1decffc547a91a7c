"""Who may open which 発生連絡票 (incidents/policies.py), as one table.

A report a user may not see answers 404 — never 403 — so an outsider cannot even tell it exists.
The same table decides the detail page, the print view, the evidence download and the
「閲覧できる連絡票」 list.
"""

from __future__ import annotations

import pytest

from incidents.lifecycle import Status
from incidents.models import IncidentReport
from tests.incidents.html import Page

ROLES = ["staff", "staff2", "chief", "director", "desk", "chair", "member", "admin"]

#: The reports every case is played against (市民課 of 市民環境部 is the 課 of staff and chief;
#: director heads 市民環境部 and sits in its 生活環境課; staff2 is in 健康福祉部 福祉課).
KINDS = {
    "own_draft": "staff's draft",
    "own_submitted": "staff's submitted report",
    "same_section": "submitted by a colleague of staff in 市民課",
    "other_department": "submitted by staff2 (健康福祉部 福祉課)",
    "same_department": "submitted in 生活環境課 (市民環境部, another 課)",
    "names_staff": "staff2's submitted report naming staff and member as 対応職員",
    "draft_names_staff": "staff2's draft naming staff as 対応職員",
    "referred": "staff2's report referred to the committee, on no meeting's agenda yet",
    "on_agenda": "staff2's referred report on the agenda of a meeting chair and member are invited to",
    "decided_absent": "staff2's report decided at a meeting chair attended and member missed",
    "own_discarded": "staff's discarded draft (削除済み)",
}

Y, N = 200, 404
# fmt: off
TABLE = {
    #            own_draft own_submitted same_section other_department same_department names_staff draft_names_staff referred on_agenda decided_absent own_discarded
    "staff":    (Y,        Y,            N,           N,               N,              Y,          N,                N,       N,        N,             N),
    "staff2":   (N,        N,            N,           Y,               N,              Y,          Y,                Y,       Y,        Y,             N),
    "chief":    (N,        Y,            Y,           N,               N,              N,          N,                N,       N,        N,             N),
    "director": (N,        Y,            Y,           N,               Y,              N,          N,                N,       N,        N,             N),
    "desk":     (N,        Y,            Y,           Y,               Y,              Y,          N,                Y,       Y,        Y,             N),
    "chair":    (N,        N,            N,           N,               N,              N,          N,                N,       Y,        Y,             N),
    "member":   (N,        N,            N,           N,               N,              Y,          N,                N,       Y,        N,             N),
    "admin":    (N,        N,            N,           N,               N,              N,          N,                N,       N,        N,             N),
}
# fmt: on
CASES = [(role, kind, TABLE[role][i]) for role in ROLES for i, kind in enumerate(KINDS)]


def on_agenda(report, users, *, attended, state):
    """Put ``report`` on a meeting's agenda with chair (委員長) and member (委員) invited."""
    from django.utils import timezone

    from committee.models import AgendaItem, Invitation, Meeting

    meeting = Meeting.objects.create(starts_at=timezone.now(), created_by=users["desk"], title="アクセス表の会議")
    for name, role in (("chair", "chair"), ("member", "member")):
        Invitation.objects.create(meeting=meeting, user=users[name], role=role,
                                  attended=(attended or {}).get(name))
    AgendaItem.objects.create(meeting=meeting, report=report, state=state, added_by=users["desk"])
    return report


@pytest.fixture
def reports(users, colleague, neighbour, make_report) -> dict[str, IncidentReport]:
    staff, staff2 = users["staff"], users["staff2"]
    return {
        "own_draft": make_report(staff, status=Status.DRAFT, title="staff の下書き"),
        "own_submitted": make_report(staff, title="staff の提出済み"),
        "same_section": make_report(colleague, title="市民課の同僚の報告"),
        "other_department": make_report(staff2, title="福祉課の報告"),
        "same_department": make_report(neighbour, title="生活環境課の報告"),
        "names_staff": make_report(staff2, staff=[staff2, staff, users["member"]], title="staff も対応した件"),
        "draft_names_staff": make_report(
            staff2, status=Status.DRAFT, staff=[staff2, staff], title="staff も対応した件（下書き）"
        ),
        "referred": make_report(staff2, status=Status.REFERRED, title="委員会に付議された件"),
        "on_agenda": on_agenda(make_report(staff2, status=Status.REFERRED, title="委員会の議題の件"),
                               users, attended=None, state="pending"),
        "decided_absent": on_agenda(make_report(staff2, status=Status.DECIDED, title="委員会で決定した件"),
                                    users, attended={"chair": True, "member": False}, state="decided"),
        # Made discarded directly, its content still there: the policy alone must hide it.
        "own_discarded": make_report(staff, status=Status.DISCARDED, staff=[staff, users["member"]],
                                     title="staff が削除した下書き"),
    }


@pytest.mark.parametrize(("role", "kind", "expected"), CASES, ids=[f"{r}-{k}" for r, k, _ in CASES])
def test_who_may_open_which_report(client, users, reports, make_attachment, role, kind, expected):
    report = reports[kind]
    evidence = make_attachment(uploader=report.reporter, report=report)
    client.force_login(users[role])

    detail = client.get(f"/reports/{report.pk}/")
    printed = client.get(f"/reports/{report.pk}/print/")
    download = client.get(f"/reports/evidence/{evidence.pk}/")

    assert (detail.status_code, printed.status_code, download.status_code) == (expected,) * 3, (
        f"{role} opening {KINDS[kind]}"
    )
    if expected == 200:
        assert report.title in detail.content.decode()
        assert report.title in printed.content.decode()
    else:
        assert report.title not in detail.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_the_visible_list_shows_exactly_what_the_table_allows(client, users, reports, role):
    client.force_login(users[role])

    response = client.get("/reports/?scope=visible")

    assert response.status_code == 200
    shown = {int(row.find("td").text) for row in Page(response.content).find_all("tr") if row.find("td")}
    allowed = {reports[kind].pk for i, kind in enumerate(KINDS) if TABLE[role][i] == 200}
    assert shown == allowed


@pytest.mark.parametrize(("role", "kind", "expected"), CASES, ids=[f"{r}-{k}" for r, k, _ in CASES])
def test_a_linked_report_shows_its_title_only_where_the_table_lets_it_open(
    client, users, reports, make_report, role, kind, expected
):
    """The same table decides what a report's 「同じ相手方の過去の報告」 reveals: the title and a link
    where the viewer may open the linked report, otherwise only that one more exists."""
    own = make_report(users[role], title="閲覧者自身の報告")
    own.related_reports.set([reports[kind]])
    client.force_login(users[role])

    for url in (f"/reports/{own.pk}/", f"/reports/{own.pk}/print/"):
        page = client.get(url).content.decode()
        assert (reports[kind].title in page) == (expected == 200), f"{role} reading {url}"
        # A discarded report is not even counted.
        assert ("閲覧する権限のない報告が 1 件" in page) == (expected == 404 and kind != "own_discarded")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_reporter_opens_a_draft_for_editing(client, users, reports, role):
    client.force_login(users[role])

    response = client.get(f"/reports/{reports['own_draft'].pk}/edit/")

    assert response.status_code == (200 if role == "staff" else 404)


@pytest.mark.parametrize("role", ROLES)
def test_nobody_opens_or_saves_a_discarded_draft_not_even_its_reporter(client, users, reports, report_data, role):
    discarded = reports["own_discarded"]
    client.force_login(users[role])

    opened = client.get(f"/reports/{discarded.pk}/edit/")
    posted = client.post(f"/reports/{discarded.pk}/edit/", report_data(action="save", title="書き戻した"))

    assert (opened.status_code, posted.status_code) == (404, 404)
    discarded.refresh_from_db()
    assert (discarded.title, discarded.status) == ("staff が削除した下書き", Status.DISCARDED)


@pytest.mark.parametrize("role", ROLES)
def test_nobody_edits_a_submitted_report_not_even_its_reporter(client, users, reports, report_data, role):
    submitted = reports["own_submitted"]
    client.force_login(users[role])

    opened = client.get(f"/reports/{submitted.pk}/edit/")
    posted = client.post(f"/reports/{submitted.pk}/edit/", report_data(action="save", title="書き換えた"))

    if role == "staff":
        # The reporter is sent to the report itself, and a post is refused with the form kept.
        assert (opened.status_code, opened["Location"]) == (302, f"/reports/{submitted.pk}/")
        assert posted.status_code == 409
        assert "書き換えた" in posted.content.decode()
    else:
        assert (opened.status_code, posted.status_code) == (404, 404)
    submitted.refresh_from_db()
    assert (submitted.title, submitted.status) == ("staff の提出済み", Status.SUBMITTED)


def test_someone_elses_draft_cannot_be_changed_by_posting_to_it(client, users, reports, report_data):
    draft = reports["own_draft"]
    client.force_login(users["chief"])

    response = client.post(f"/reports/{draft.pk}/edit/", report_data(action="save", title="書き換えた"))

    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.title == "staff の下書き"
    assert draft.status == Status.DRAFT


def test_a_report_that_does_not_exist_answers_like_a_forbidden_one(client, users, reports):
    client.force_login(users["desk"])
    missing = max(r.pk for r in reports.values()) + 1000

    assert client.get(f"/reports/{missing}/").status_code == 404
    assert client.get(f"/reports/{missing}/print/").status_code == 404


def test_without_logging_in_every_report_page_asks_for_the_login(client, reports):
    report = reports["own_submitted"]
    for url in (f"/reports/{report.pk}/", f"/reports/{report.pk}/print/", "/reports/", "/reports/new/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
