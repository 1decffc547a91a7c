"""The staff survey in the browser: ``staff`` sees the reminder on the home page, answers (radios
and checkboxes in their fieldsets, the free text with its warning), is thanked, and the reminder is
gone; ``desk`` reads the results, with the new answer counted beside last 年度's."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from surveys import demo
from surveys.models import Participation, Response
from tests.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_answers_the_open_survey_and_desk_reads_the_results(page_factory, live_server, settings):
    settings.KASUHARA_DEMO = True
    call_command("load_demo", stdout=io.StringIO())
    survey_id = demo.survey_id(open_now=True)
    before = Response.objects.filter(survey_id=survey_id).count()

    page = page_factory()
    login(page, live_server, "staff")
    notice = page.locator("#survey-notice")
    assert notice.is_visible()
    notice.get_by_role("link").first.click()
    page.wait_for_url(f"**/surveys/{survey_id}/")
    page.get_by_role("group", name="1. 直近3年以内に").get_by_label("ある").check()
    page.get_by_role("group", name="2. カスハラを受けた頻度").get_by_label("年に数回").check()
    kinds = page.get_by_role("group", name="3. 受けたカスハラの内容")
    kinds.get_by_label("長時間の拘束（電話、窓口など）").check()
    kinds.get_by_label("理不尽な要望等の繰り返し").check()
    free = page.get_by_label("4. カスハラへの対策について")
    assert "氏名など）は書かないでください" in page.locator(f"#{free.get_attribute('aria-describedby').split()[0]}").inner_text()
    free.fill("窓口の対応時間の目安を決めてほしい。")
    page.get_by_role("button", name="回答を送る").click()
    page.wait_for_url(f"**/surveys/{survey_id}/thanks/")
    assert "ご回答ありがとうございました" in page.content()
    assert Participation.objects.filter(survey_id=survey_id, user__username="staff").exists()
    assert Response.objects.filter(survey_id=survey_id).count() == before + 1

    page.goto(f"{live_server.url}/")
    assert page.locator("#survey-notice").count() == 0
    page.goto(f"{live_server.url}/surveys/{survey_id}/")
    assert "既に回答済みです" in page.locator("#refusal").inner_text()
    assert page.outside_requests == []

    desk = page_factory()
    login(desk, live_server, "desk")
    desk.get_by_role("link", name="アンケートの結果を見る").click()
    desk.wait_for_url("**/surveys/")
    desk.get_by_role("link", name="カスハラに関する職員アンケート（令和").first.click()
    desk.wait_for_url("**/results/")
    table = desk.locator(f"#table-survey-{survey_id}-experienced")
    row = table.locator("tr", has=desk.locator("th", has_text="ある"))
    cells = row.locator("td").all_inner_texts()
    # ある: 7 of the 11 demo answers plus staff's = 8 of 12 (66.7 %); last 年度 6 of 10 (60 %).
    assert cells == ["8", "66.7", "6", "60"], cells
    assert desk.locator("svg[role=img]").count() >= 1  # the kinds chart, beside its table
    assert "窓口の対応時間の目安を決めてほしい。" in desk.locator("#free-texts").inner_text()
    assert desk.outside_requests == []
