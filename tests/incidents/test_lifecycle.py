"""Every move of the case lifecycle from every state, by every role: allowed, refused for the
state, or refused for the person — as one table written out by hand (not derived from the code)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from incidents import lifecycle, services
from incidents.lifecycle import Status
from incidents.models import EventAction, IncidentReport, ReportEvent
from tests.incidents.html import Page
from tests.incidents.test_concurrency import post_together

ROLES = ["staff", "staff2", "chief", "director", "desk", "chair", "member", "admin"]

#: move → (the states it starts from, the roles that may make it). The report is filed by
#: ``staff`` of 市民課; ``chief`` heads 市民課, ``director`` its 部.
TABLE = {
    "submit": ({"draft", "returned"}, {"staff"}),
    "discard": ({"draft"}, {"staff"}),
    "confirm": ({"submitted"}, {"chief"}),
    "return": ({"submitted", "confirmed", "accepted"}, {"desk", "chief"}),
    "accept": ({"submitted", "confirmed"}, {"desk"}),
    "start": ({"accepted"}, {"desk"}),
    "refer": ({"accepted", "in_progress"}, {"desk"}),
    "decide": ({"referred"}, {"chair"}),
    "share": ({"decided"}, {"desk"}),
    "close": ({"accepted", "in_progress", "decided", "shared"}, {"desk"}),
    "reopen": ({"closed"}, {"desk"}),
}
TARGET = {
    "submit": "submitted", "discard": "discarded", "confirm": "confirmed", "return": "returned", "accept": "accepted",
    "start": "in_progress", "refer": "referred", "decide": "decided", "share": "shared", "close": "closed",
    "reopen": "in_progress",
}
INPUTS = {
    "confirm": {"judgement": "applicable", "difficulty": "hard", "comment": "対応に苦慮"},
    "close": {"outcome": "resolved", "outcome_note": "相手方が謝罪"},
}
REASONS = {"return": "発生日時を直してください", "refer": "継続性・悪質性が高い", "decide": "警告書を送付", "reopen": "再び来庁"}


def expected(move: str, state: str, role: str) -> str:
    sources, roles = TABLE[move]
    if state not in sources:
        return "state"
    if role not in roles:
        return "denied"
    if move == "return" and role == "chief" and state != "submitted":
        return "denied"  # the 所属長 returns only before confirming
    if move == "accept" and state == "submitted":
        return "state"  # the 所属長 step is on (the default): confirm first
    return "ok"


def test_the_hand_written_table_covers_every_move_of_the_code():
    assert set(TABLE) == set(lifecycle.TRANSITIONS)
    assert {m: lifecycle.TRANSITIONS[m].target for m in TABLE} == TARGET


CASES = [(move, state) for move in TABLE for state in Status.values]


@pytest.mark.parametrize(("move", "state"), CASES, ids=[f"{m}-from-{s}" for m, s in CASES])
def test_every_move_from_every_state_by_every_role(users, make_report, move, state):
    for role in ROLES:
        report = make_report(users["staff"], status=state)
        outcome = "ok"
        try:
            services.transition(report=report, name=move, actor=users[role], reason=REASONS.get(move, ""),
                                inputs=INPUTS.get(move))
        except PermissionDenied:
            outcome = "denied"
        except ValidationError:
            outcome = "state"
        assert outcome == expected(move, state, role), f"{role} {move} from {state}"
        report.refresh_from_db()
        events = ReportEvent.objects.filter(report=report)
        if outcome == "ok":
            assert report.status == TARGET[move]
            event = events.get()
            assert (event.actor, event.from_status, event.to_status) == (users[role], state, TARGET[move])
            assert event.reason == REASONS.get(move, "")
        else:
            assert report.status == state
            assert not events.exists()


def test_confirming_records_the_judgement_difficulty_and_comment(users, make_report):
    report = make_report(users["staff"])
    services.transition(report=report, name="confirm", actor=users["chief"], inputs=INPUTS["confirm"])

    report.refresh_from_db()
    assert (report.chief_judgement, report.difficulty, report.chief_comment) == ("applicable", "hard", "対応に苦慮")
    assert report.confirmed_at is not None


def test_a_move_that_needs_a_reason_is_refused_without_one(users, make_report):
    report = make_report(users["staff"], status=Status.CONFIRMED)
    with pytest.raises(ValidationError) as refused:
        services.transition(report=report, name="return", actor=users["desk"], reason="  ")
    assert refused.value.messages == ["理由を入力してください。"]


def test_accepting_makes_the_accepting_desk_member_the_handler_unless_another_is_chosen(users, make_report):
    first = make_report(users["staff"], status=Status.CONFIRMED)
    services.transition(report=first, name="accept", actor=users["desk"])
    first.refresh_from_db()
    assert first.handler == users["desk"] and first.accepted_at is not None


def test_without_the_chief_step_the_desk_accepts_a_submitted_report_directly(settings, users, make_report):
    """Oshu's way: KASUHARA_CHIEF_CONFIRMATION=false sends reports straight to the 相談窓口."""
    settings.KASUHARA_CHIEF_CONFIRMATION = False
    report = make_report(users["staff"])

    with pytest.raises(PermissionDenied):
        services.transition(report=report, name="confirm", actor=users["chief"], inputs=INPUTS["confirm"])
    services.transition(report=report, name="accept", actor=users["desk"])

    report.refresh_from_db()
    assert report.status == Status.ACCEPTED


def test_the_director_raises_a_case_to_very_hard_and_the_ga_director_then_sees_it(users, make_report, client_as):
    from organization.models import User

    ga = User.objects.create(username="ga", display_name="総務 部長", section=users["desk"].section, is_ga_director=True)
    report = make_report(users["staff"], status=Status.CONFIRMED, difficulty="hard")
    ga_client = client_as("desk")
    ga_client.force_login(ga)
    assert ga_client.get(f"/reports/{report.pk}/").status_code == 404

    response = client_as("director").post(f"/reports/{report.pk}/change/escalate/",
                                          {"version": report.version, "confirm": "on"})

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.difficulty, report.cross_review) == ("very_hard", True)
    assert ReportEvent.objects.filter(report=report, action=EventAction.ESCALATED, actor=users["director"]).exists()
    assert ga_client.get(f"/reports/{report.pk}/").status_code == 200
    # Another 部's director may not.
    assert client_as("chief").post(f"/reports/{report.pk}/change/escalate/",
                                   {"version": report.version, "confirm": "on"}).status_code == 404


# -- through the page ---------------------------------------------------------------------------

def test_the_case_page_offers_each_role_only_its_moves(client_as, users, make_report):
    report = make_report(users["staff"])

    def offered(role):
        page = Page(client_as(role).get(f"/reports/{report.pk}/").content)
        return {f.attrs["id"] for f in page.find_all("form") if f.attrs.get("id", "").startswith(("move-", "change-"))}

    assert offered("staff") == set()
    assert offered("chief") == {"move-confirm", "move-return"}
    assert offered("desk") == {"move-return", "move-accept", "change-assign", "change-rate", "change-note",
                               "change-action"}
    assert offered("director") == {"change-escalate"}


def test_a_move_by_someone_not_allowed_answers_404_and_changes_nothing(client_as, users, make_report):
    report = make_report(users["staff"])
    for role in ("staff", "director", "chair", "admin"):
        response = client_as(role).post(f"/reports/{report.pk}/move/confirm/", {
            "version": report.version, "judgement": "applicable", "difficulty": "normal"})
        assert response.status_code == 404, role
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_a_refused_move_keeps_what_was_typed(client_as, users, make_report):
    report = make_report(users["staff"], status=Status.CONFIRMED)

    response = client_as("desk").post(f"/reports/{report.pk}/move/close/", {"version": report.version,
                                                                           "outcome_note": "書きかけの説明"})

    assert response.status_code == 400
    page = Page(response.content)
    assert page.form_data("move-close")["outcome_note"] == ["書きかけの説明"]
    assert "このフィールドは必須です。" in page.by_id("move-close").text


def test_the_reporter_sees_the_status_in_plain_words_but_no_internal_note_or_chief_comment(
    client_as, users, make_report
):
    report = make_report(users["staff"])
    services.transition(report=report, name="confirm", actor=users["chief"], inputs=INPUTS["confirm"])
    services.transition(report=report, name="accept", actor=users["desk"])
    services.add_note(report=report, actor=users["desk"], body="相手方は以前にも同様の要求")

    staff_page = client_as("staff").get(f"/reports/{report.pk}/").content.decode()
    chief_page = client_as("chief").get(f"/reports/{report.pk}/").content.decode()
    desk_page = client_as("desk").get(f"/reports/{report.pk}/").content.decode()

    assert "相談窓口（総務課）が受け付けました。" in staff_page
    assert "相手方は以前にも同様の要求" not in staff_page and "相手方は以前にも同様の要求" not in chief_page
    assert "相手方は以前にも同様の要求" in desk_page
    assert "対応に苦慮" not in staff_page
    assert "対応に苦慮" in chief_page and "対応に苦慮" in desk_page


def test_the_reporter_reads_the_return_reason_and_can_edit_and_resubmit(client_as, users, make_report, report_data):
    report = make_report(users["staff"])
    services.transition(report=report, name="return", actor=users["desk"], reason="発生場所を詳しく書いてください")
    staff = client_as("staff")

    page = Page(staff.get(f"/reports/{report.pk}/").content)
    resubmitted = staff.post(f"/reports/{report.pk}/edit/", report_data(action="submit", report=report))

    assert "発生場所を詳しく書いてください" in page.by_id("return-reason").text
    assert resubmitted.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


# -- two handlers at once --------------------------------------------------------------------------

@pytest.mark.postgres
def test_two_handlers_accepting_at_once_apply_it_once_and_the_second_keeps_its_input(
    postgres, committed_db, users, make_report
):
    for trial in range(10):
        report = make_report(users["staff"], status=Status.ACCEPTED, title=f"同時{trial}")
        url = f"/reports/{report.pk}/move/refer/"

        answers = post_together(users["desk"], [(url, {"version": report.version, "reason": f"理由{i}"})
                                                for i in range(2)])

        codes = sorted(a.status_code for a in answers)
        assert codes == [302, 409], (trial, codes)
        loser = next(a for a in answers if a.status_code == 409).content.decode()
        assert "ほかの人が操作しました" in loser
        assert "理由0" in loser or "理由1" in loser
        assert ReportEvent.objects.filter(report=report, action=EventAction.REFERRED).count() == 1


# -- the README keeps the table ---------------------------------------------------------------------

def test_the_readme_shows_the_table_of_moves_as_the_code_has_it(capsys):
    call_command("lifecycle_table")
    table = capsys.readouterr().out.strip()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert table in readme, "run `python manage.py lifecycle_table` and paste it into README.md"


@pytest.mark.parametrize("chief_step", [True, False], ids=["minato-with-chief", "oshu-without-chief"])
def test_both_cities_take_a_report_from_submission_to_closing_through_the_pages(
    settings, client_as, users, report_data, chief_step
):
    settings.KASUHARA_CHIEF_CONFIRMATION = chief_step
    staff, chief, desk = client_as("staff"), client_as("chief"), client_as("desk")
    staff.post("/reports/new/", report_data(action="submit"))
    report = IncidentReport.objects.get()

    def post(client, path, **data):
        report.refresh_from_db()
        return client.post(f"/reports/{report.pk}/{path}/", {"version": report.version, **data})

    if chief_step:
        assert post(desk, "move/accept").status_code == 400  # not before the 所属長 has confirmed
        assert post(chief, "move/confirm", judgement="applicable", difficulty="normal").status_code == 302
    else:
        assert post(chief, "move/confirm", judgement="applicable", difficulty="normal").status_code == 404
    assert post(desk, "move/accept").status_code == 302
    assert post(desk, "move/start").status_code == 302
    assert post(desk, "change/action", kind="warning_letter", description="警告文書を郵送", done_by="総務 窓口",
                done_on="2025-06-20").status_code == 302
    assert post(desk, "move/close", outcome="resolved", outcome_note="以後の来庁なし").status_code == 302

    report.refresh_from_db()
    assert report.status == Status.CLOSED
    moves = list(report.events.exclude(to_status="").values_list("to_status", flat=True))
    expected = ["draft", "submitted", *(["confirmed"] if chief_step else []), "accepted", "in_progress", "closed"]
    assert moves == expected
    page = Page(staff.get(f"/reports/{report.pk}/").content)
    assert "対応が完了しました。" in page.by_id("case-status").text
    assert "以後の来庁なし" in page.by_id("case-outcome").text


def test_a_draft_is_submitted_only_through_the_report_form_and_its_rules(client_as, users, make_report):
    """A bare 提出 button on the case page would skip the form's rules (件名, 要求内容, dates …)."""
    draft = make_report(users["staff"], status=Status.DRAFT, title="", demand="")
    staff = client_as("staff")

    page = Page(staff.get(f"/reports/{draft.pk}/").content)
    posted = staff.post(f"/reports/{draft.pk}/move/submit/", {"version": draft.version})

    assert page.by_id("move-submit") is None
    assert posted.status_code == 404
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_the_decision_is_not_made_on_the_case_page_but_by_the_committee(client_as, users, make_report):
    """対応方針の決定 comes from a finalised committee decision (committee/services.py) only: the case
    page offers no such form and refuses the post, even to the 対策委員長."""
    report = make_report(users["staff"], status=Status.REFERRED)

    page = Page(client_as("desk").get(f"/reports/{report.pk}/").content)
    decided = client_as("chair").post(f"/reports/{report.pk}/move/decide/",
                                      {"version": report.version, "reason": "文書で警告する"})

    assert page.by_id("move-decide") is None
    assert decided.status_code == 404
    report.refresh_from_db()
    assert report.status == Status.REFERRED


def test_a_conflicting_move_can_be_sent_again_on_purpose_with_what_was_typed(client_as, users, make_report):
    report = make_report(users["staff"], status=Status.ACCEPTED)
    desk = client_as("desk")
    services.update_case(report=report, actor=users["desk"], action=EventAction.RATED, changes={"urgent": True})

    refused = desk.post(f"/reports/{report.pk}/move/refer/", {"version": report.version, "reason": "悪質性が高い"})
    kept = Page(refused.content).form_data("move-refer")
    again = desk.post(f"/reports/{report.pk}/move/refer/", {k: v[0] for k, v in kept.items()})

    assert refused.status_code == 409
    assert kept["reason"] == ["悪質性が高い"]
    assert again.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.REFERRED


def test_the_reporter_and_the_chief_do_not_see_the_desks_internal_work_in_the_history(client_as, users, make_report):
    report = make_report(users["staff"], status=Status.ACCEPTED)
    services.add_note(report=report, actor=users["desk"], body="メモ")
    services.update_case(report=report, actor=users["desk"], action=EventAction.RATED, changes={"malice": "high"})

    for role in ("staff", "chief"):
        history = Page(client_as(role).get(f"/reports/{report.pk}/").content).by_id("history").text
        assert "内部メモ" not in history and "継続性・悪質性・至急の設定" not in history, role
    desk_history = Page(client_as("desk").get(f"/reports/{report.pk}/").content).by_id("history").text
    assert "内部メモ" in desk_history and "継続性・悪質性・至急の設定" in desk_history
