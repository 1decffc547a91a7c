"""The call for help through its addresses: the buttons on the home page and the live view, the
banner's JSON, 「向かいます」 and 解決, the rate limit's 429, bad input, and who sees nothing (404)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from helpcalls import services
from helpcalls.models import EventAction, HelpAnswer, HelpCall
from tests.incidents.html import Page

JSON = {"HTTP_ACCEPT": "application/json"}


def banner(client) -> list[dict]:
    response = client.get("/help/active/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    return response.json()["calls"]


def test_the_home_page_and_the_live_view_have_the_button_with_the_sections_place(client_as):
    staff = client_as("staff")
    home = Page(staff.get("/").content)
    form = home.find("form", action="/help/new/")
    assert form is not None and "data-help-call" in form.attrs
    assert home.by_id("help-call-place").attrs["value"] == "市民課"
    assert form.find("input", name="type") is None  # no 態様 from the home page
    live = Page(staff.get("/manual/types/verbal_abuse/live/").content)
    assert live.find("input", name="type").attrs["value"] == "verbal_abuse"
    assert "暴言型" in live.by_id("help-call-note").text
    # Every page carries the banner's region, which asks every few seconds.
    region = home.by_id("help-calls")
    assert region.attrs["data-active-url"] == "/help/active/" and int(region.attrs["data-poll"]) <= 5


def test_a_call_from_the_live_view_answers_json_and_shows_in_the_chiefs_banner_as_an_alert(client_as, colleague):
    response = client_as("staff").post("/help/new/", {"place": "本庁舎1階 3番窓口", "type": "verbal_abuse"}, **JSON)
    assert response.status_code == 201
    call = HelpCall.objects.get()
    assert response.json()["call"] == call.pk
    assert "応援を要請しました（本庁舎1階 3番窓口）" in response.json()["message"]
    assert (call.place, call.harassment_type.code, call.caller.username) == ("本庁舎1階 3番窓口", "verbal_abuse", "staff")

    for who in ("chief", "staff3"):
        calls = banner(client_as(who))
        assert [c["id"] for c in calls] == [call.pk]
        shown = Page(calls[0]["html"])
        alert = shown.find(role="alert")
        assert alert is not None and "【至急】応援要請" in alert.text
        assert "窓口 花子 さん（市民課）が「本庁舎1階 3番窓口」で応援を求めています" in alert.text
        assert "態様：暴言型" in alert.text
        assert shown.find("form", action=f"/help/{call.pk}/answer/") is not None
    # The caller's own banner: a status with no answer yet, and 解決.
    mine = banner(client_as("staff"))
    assert [c["mine"] for c in mine] == [True]
    own = Page(mine[0]["html"])
    assert own.find(role="status") is not None and "まだ応答はありません" in own.root.text
    assert own.find("form", action=f"/help/{call.pk}/resolve/") is not None


def test_the_answer_reaches_the_callers_banner_and_is_recorded(client_as, call):
    chief = client_as("chief")
    response = chief.post(f"/help/{call.pk}/answer/", **JSON)
    assert response.status_code == 200
    assert "「向かいます」と応答しました" in response.json()["message"]
    assert HelpAnswer.objects.get().responder.username == "chief"
    mine = Page(banner(client_as("staff"))[0]["html"])
    assert "市民 課長 さんが「向かいます」と応答しました" in mine.root.text
    # The chief's banner no longer offers the button; the colleague's names who is going.
    chiefs = Page(banner(chief)[0]["html"])
    assert chiefs.find("form", action=f"/help/{call.pk}/answer/") is None
    assert chiefs.find(role="alert") is None and chiefs.find(role="status") is not None  # not announced again
    assert "「向かいます」と応答しました" in chiefs.root.text
    colleagues = Page(banner(client_as("staff3"))[0]["html"])
    assert "向かっている人：市民 課長 さん" in colleagues.root.text
    assert call.events.filter(action=EventAction.ANSWERED, actor__username="chief").count() == 1
    # Without the script: the same address leads back to the call's page with a message.
    response = client_as("staff3").post(f"/help/{call.pk}/answer/")
    assert response.status_code == 302 and response["Location"] == f"/help/{call.pk}/"


def test_a_second_press_within_a_minute_is_refused_with_429_and_a_japanese_message(client_as, colleague):
    staff = client_as("staff")
    assert staff.post("/help/new/", {"place": "窓口"}, **JSON).status_code == 201
    response = staff.post("/help/new/", {"place": "窓口"}, **JSON)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "応援要請は 60 秒に1回までです" in response.json()["error"]
    assert HelpCall.objects.count() == 1
    assert len(banner(client_as("chief"))) == 1
    # Without the script: the form again, with the message and the place as typed.
    response = staff.post("/help/new/", {"place": "本庁舎2階 会議室", "type": "intimidation"})
    assert response.status_code == 429
    page = Page(response.content)
    assert "60 秒に1回まで" in page.by_id("form-errors").text
    assert page.form_data("help-call-form")["place"] == ["本庁舎2階 会議室"]
    assert page.form_data("help-call-form")["type"] == ["intimidation"]
    assert HelpCall.objects.count() == 1


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"place": "窓" * 101}, "place", "100 文字以内"),
    ({"place": "窓口", "type": "no_such_type"}, "type", "態様は一覧から選んでください"),
])
def test_bad_input_is_refused_with_a_message_beside_the_field_and_kept(client_as, data, field, message):
    response = client_as("staff").post("/help/new/", data)
    assert response.status_code == 400
    page = Page(response.content)
    assert message in page.error_for(field)
    assert page.form_data("help-call-form")["place"] == [data["place"]]
    json = client_as("staff").post("/help/new/", data, **JSON)
    assert json.status_code == 400 and message in json.json()["error"]
    assert not HelpCall.objects.exists()


def test_without_the_script_a_call_leads_to_its_page(client_as):
    response = client_as("staff").post("/help/new/", {"place": ""})
    call = HelpCall.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/help/{call.pk}/"
    assert call.place == "市民課"


def test_the_calls_page_shows_place_type_time_in_wareki_and_answers_and_records_the_view(client_as, call, users):
    services.answer(call=call, responder=users["chief"])
    page = Page(client_as("staff3").get(f"/help/{call.pk}/").content)
    assert page.by_id("place").text == "本庁舎1階 3番窓口"
    text = page.root.text
    assert "暴言型" in text and "窓口 花子（市民課）" in text
    assert "令和" in text and f"({timezone.localdate(call.created_at):%Y-%m-%d})" in text
    assert "市民 課長" in page.by_id("answers").text
    assert page.find("form", action=f"/help/{call.pk}/answer/") is not None  # staff3 has not answered
    assert page.find("form", action=f"/help/{call.pk}/resolve/") is None  # only the caller and the chief close
    assert call.events.filter(action=EventAction.VIEWED, actor__username="staff3").count() == 1
    assert "閲覧 1 件" in text


@pytest.mark.parametrize("who", ["staff2", "chief2", "director", "desk", "admin"])
def test_a_user_of_another_section_sees_nothing(client_as, call, who):
    client = client_as(who)
    assert client.get(f"/help/{call.pk}/").status_code == 404
    assert client.post(f"/help/{call.pk}/answer/", **JSON).status_code == 404
    assert client.post(f"/help/{call.pk}/resolve/", **JSON).status_code == 404
    assert banner(client) == []
    assert not HelpAnswer.objects.exists() and HelpCall.objects.get().resolved_at is None
    assert not call.events.filter(actor__username=who).exists()


def test_an_unknown_call_is_404_and_signed_out_users_are_sent_to_sign_in(client, client_as):
    assert client_as("staff").get("/help/999999/").status_code == 404
    for path in ("/help/new/", "/help/active/", "/help/1/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_caller_closes_the_call_and_it_leaves_every_banner(client_as, call):
    assert client_as("staff3").post(f"/help/{call.pk}/resolve/", **JSON).status_code == 403
    response = client_as("staff").post(f"/help/{call.pk}/resolve/", **JSON)
    assert response.status_code == 200 and "解決にしました" in response.json()["message"]
    assert banner(client_as("chief")) == [] and banner(client_as("staff")) == []
    response = client_as("chief").post(f"/help/{call.pk}/answer/", **JSON)
    assert response.status_code == 409 and "すでに終わっています" in response.json()["error"]
    page = Page(client_as("chief").get(f"/help/{call.pk}/").content)
    assert page.by_id("state").text == "解決"
    assert page.find("form", action=f"/help/{call.pk}/answer/") is None


def test_a_call_older_than_the_limit_is_out_of_the_banner_and_says_so(client_as, users, settings):
    settings.KASUHARA_HELP_CALL_MINUTES = 30
    call = services.call_for_help(caller=users["staff"], place="窓口", now=timezone.now() - timedelta(minutes=31))
    assert banner(client_as("chief")) == []
    page = Page(client_as("chief").get(f"/help/{call.pk}/").content)
    assert page.by_id("state").text == "終了（時間切れ）"
    assert "30分が過ぎたため" in page.root.text


def test_a_user_without_a_section_has_no_button_and_no_form(client_as, users):
    admin = users["admin"]
    admin.section = None
    admin.save()
    client = client_as("admin")
    assert Page(client.get("/").content).by_id("help-call-button") is None
    assert client.get("/help/new/").status_code == 404
    assert client.post("/help/new/", {"place": "窓口"}).status_code == 404


def test_the_notice_in_the_inbox_leads_to_the_calls_page(client_as, call):
    from notifications.models import Notice

    notice = Notice.objects.get(recipient__username="chief", kind="help_call")
    chief = client_as("chief")
    response = chief.get(f"/inbox/{notice.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/help/{call.pk}/"
    assert chief.get(response["Location"]).status_code == 200


def test_the_poll_costs_the_same_few_queries_however_many_calls_and_answers(client_as, users, colleague):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    chief = client_as("chief")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert chief.get("/help/active/").status_code == 200
        return len(captured)

    services.call_for_help(caller=users["staff"], place="窓口")
    one = queries()
    services.answer(call=HelpCall.objects.get(), responder=colleague)
    services.call_for_help(caller=colleague, place="2番窓口")
    services.answer(call=HelpCall.objects.get(caller=colleague), responder=users["staff"])
    assert len(banner(chief)) == 2
    assert queries() == one <= 5
