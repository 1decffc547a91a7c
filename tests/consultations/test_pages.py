"""The consultation pages: the form, what each reader sees, the audit trail, the query count."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations import services
from consultations.models import Consultation, ConsultationEvent, EventAction, State
from tests.incidents.html import Page

NOTE = "相談者の上司との関係に注意（内部だけ）"
ANSWER = "伺った言動は暴言型のカスハラに当たると考えます。記録を残してください。"


def test_new_consultation(client, users):
    client.force_login(users["staff"])
    page = Page(client.get("/consultations/new/").content)
    share = page.find("input", name="share_with_supervisors")
    assert "checked" not in share.attrs
    assert "法律により秘密" in page.root.text

    response = client.post("/consultations/new/", {
        "what_happened": "「税金泥棒」と大声で怒鳴られた",
        "wish": "対応方法を相談したい",
        "contact": "内線1234",
        "occurred_on": "2025-06-18",
        "channel": "counter",
    })
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/consultations/{consultation.pk}/"
    assert (consultation.author, consultation.section) == (users["staff"], users["staff"].section)
    assert consultation.state == State.NEW
    assert consultation.share_with_supervisors is False
    assert consultation.occurred_on == date(2025, 6, 18)
    assert consultation.events.get().action == EventAction.CREATED


def test_an_empty_form_is_refused_with_messages_and_keeps_what_was_typed(client, users):
    client.force_login(users["staff"])
    response = client.post("/consultations/new/", {
        "what_happened": "「馬鹿野郎」と言われた", "wish": "", "contact": "", "occurred_on": "2999-01-01",
    })
    assert response.status_code == 400
    page = Page(response.content)
    assert page.fields_with_errors() >= {"wish", "contact", "occurred_on"}
    assert "相談したいことを書いてください" in page.error_for("wish")
    assert "連絡方法" in page.error_for("contact")
    assert "2000年1月1日から" in page.error_for("occurred_on")
    assert page.form_data("consultation-form")["what_happened"] == ["「馬鹿野郎」と言われた"]
    assert not Consultation.objects.exists()


def test_the_answer_is_shown_to_the_author_and_notes_never(client, users, make_consultation):
    consultation = make_consultation(share_with_supervisors=True)
    desk = users["desk"]
    services.answer(consultation=consultation, actor=desk, text=ANSWER)
    services.add_note(consultation=consultation, actor=desk, body=NOTE)

    for role in ("staff", "chief", "director"):
        client.force_login(users[role])
        page = Page(client.get(f"/consultations/{consultation.pk}/").content)
        assert ANSWER in page.by_id("answer").text, role
        assert NOTE not in page.root.text, role
        assert page.by_id("notes") is None, role
        if role == "staff":
            history = page.by_id("history").text
            assert "回答" in history and "内部メモ" not in history

    client.force_login(desk)
    page = Page(client.get(f"/consultations/{consultation.pk}/").content)
    assert NOTE in page.by_id("notes").text
    history = page.by_id("history").text
    assert "内部メモ" in history and NOTE not in history
    assert NOTE not in str(ConsultationEvent.objects.values_list("detail", flat=True))


def test_desk_posts_answer_follow_up_and_refused_form_keeps_text(client, users, consultation):
    client.force_login(users["desk"])
    url = f"/consultations/{consultation.pk}"
    assert client.post(f"{url}/answer/", {"text": ANSWER}).status_code == 302
    refused = client.post(f"{url}/follow-up/", {"done_on": "", "description": "所属長と面談", "done_by": "総務課"})
    assert refused.status_code == 400
    page = Page(refused.content)
    assert "実施日を入力してください" in page.error_for("done_on")
    assert page.form_data("follow-up-form")["description"] == ["所属長と面談"]

    ok = client.post(f"{url}/follow-up/", {"done_on": "2025-06-20", "description": "所属長と面談", "done_by": "総務課"})
    assert ok.status_code == 302
    assert client.post(f"{url}/close/", {"outcome": ""}).status_code == 400
    assert client.post(f"{url}/close/", {"outcome": "助言して終了"}).status_code == 302
    refused_move = client.post(f"{url}/answer/", {"text": "もう一度"})
    assert refused_move.status_code == 400
    assert "再開" in refused_move.content.decode()
    consultation.refresh_from_db()
    assert (consultation.state, consultation.answer) == (State.CLOSED, ANSWER)


def test_the_author_may_not_answer(client, users, consultation):
    client.force_login(users["staff"])
    assert client.post(f"/consultations/{consultation.pk}/answer/", {"text": "x"}).status_code == 404


def test_making_a_report_sends_the_author_to_the_editor(client, users, consultation):
    client.force_login(users["staff"])
    response = client.post(f"/consultations/{consultation.pk}/make-report/")
    consultation.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{consultation.report_id}/edit/"
    assert client.get(response["Location"]).status_code == 200


def test_making_a_report_by_the_desk_stays_on_the_consultation(client, users, consultation):
    client.force_login(users["desk"])
    response = client.post(f"/consultations/{consultation.pk}/make-report/", follow=True)
    consultation.refresh_from_db()
    assert consultation.report.reporter == users["staff"]
    assert response.redirect_chain[-1][0] == f"/consultations/{consultation.pk}/"
    assert "下書き" in response.content.decode()


def test_every_view_is_an_audit_event(client, users, make_consultation):
    consultation = make_consultation(share_with_supervisors=True)
    for role in ("staff", "desk", "chief", "director", "desk"):
        client.force_login(users[role])
        client.get(f"/consultations/{consultation.pk}/", REMOTE_ADDR="10.0.0.7")
    views = consultation.events.filter(action=EventAction.VIEWED).order_by("id")
    assert [e.actor.username for e in views] == ["staff", "desk", "chief", "director", "desk"]
    assert {e.ip_address for e in views} == {"10.0.0.7"}

    client.force_login(users["staff2"])
    client.get(f"/consultations/{consultation.pk}/")
    assert consultation.events.filter(action=EventAction.VIEWED).count() == 5  # a 404 shows nothing


@pytest.mark.parametrize("role", ["desk", "staff"])
def test_the_page_costs_the_same_queries_however_many_follow_ups(client, users, consultation, make_report, role):
    desk = users["desk"]
    make_report(users["staff"])
    services.add_note(consultation=consultation, actor=desk, body="メモ")
    client.force_login(users[role])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/consultations/{consultation.pk}/").status_code == 200
        return len(captured)

    services.add_follow_up(consultation=consultation, actor=desk, done_on=date(2025, 6, 20),
                           description="1回目", done_by="総務課")
    one = queries()
    for i in range(6):
        services.add_follow_up(consultation=consultation, actor=desk, done_on=date(2025, 6, 21),
                               description=f"{i + 2}回目", done_by="総務課")
        services.add_note(consultation=consultation, actor=desk, body=f"メモ{i}")
    assert queries() == one


def test_desk_list_filters_and_searches(client, users, make_consultation):
    dv = make_consultation(what_happened="DV被害の相談者の住所を聞き出そうとした")
    other = make_consultation(what_happened="長時間の居座り")
    client.force_login(users["desk"])
    body = client.get("/consultations/?q=ＤＶ").content.decode()
    assert f"/consultations/{dv.pk}/" in body and f"/consultations/{other.pk}/" not in body
    body = client.get("/consultations/?state=closed").content.decode()
    assert f"/consultations/{dv.pk}/" not in body


def test_the_same_page_sent_twice_asks_once(client_as):
    client = client_as("staff")
    token = Page(client.get("/consultations/new/").content).find("input", name="form_token").attrs["value"]
    data = {"what_happened": "窓口で怒鳴られた", "wish": "判断してほしい", "contact": "内線1", "form_token": token}

    first = client.post("/consultations/new/", data)
    second = client.post("/consultations/new/", data)

    assert Consultation.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]


def test_a_report_draft_deleted_by_its_author_frees_the_consultation_for_a_new_one(client, users, consultation):
    """The author deletes the draft made from the consultation: the consultation no longer says it is
    linked, offers 「この相談から発生連絡票を作る」 again, and a new draft can be made."""
    from incidents import services as report_services

    client.force_login(users["staff"])
    client.post(f"/consultations/{consultation.pk}/make-report/")
    consultation.refresh_from_db()
    first = consultation.report
    report_services.transition(report=first, name="discard", actor=users["staff"])

    page = client.get(f"/consultations/{consultation.pk}/").content.decode()
    assert "発生連絡票と関連付けられています" not in page
    assert "この相談から発生連絡票を作る" in page
    response = client.post(f"/consultations/{consultation.pk}/make-report/")
    consultation.refresh_from_db()
    assert response.status_code == 302
    assert consultation.report_id != first.pk
    assert response["Location"] == f"/reports/{consultation.report_id}/edit/"
