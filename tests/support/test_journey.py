"""A 庁舎管理 request in a real browser (Debian's Chromium), on phones: the 所属長 of 市民課 asks from the
case page for a guard and a 退去命令; the 所属長 of 契約管財課, in another browser, finds it in お知らせ,
opens it (the request, not the case), and answers; the asking 所属長 reads the answer. The answering
page passes axe-core's WCAG 2.1 AA rules and does not scroll sideways at 390 px (the 契約管財課 role is
not among the accessibility test's demo roles). No request leaves 127.0.0.1."""

from __future__ import annotations

import pytest

from support.models import BuildingRequest, BuildingState
from tests.e2e.test_accessibility import AXE_OPTIONS, FAILING, axe_source
from tests.helpers import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_chief_asks_the_building_section_and_reads_its_answer_on_a_phone(page_factory, live_server, users, case,
                                                                           kanzai):
    kanzai.set_password("kasuhara-demo")
    kanzai.save()
    chief = page_factory(viewport=PHONE, reduced_motion="reduce")
    login(chief, live_server, "chief")

    chief.goto(f"{live_server.url}/reports/{case.pk}/")
    chief.click("#building-new-link")
    assert chief.locator("#receiving").inner_text() == "依頼先：契約管財課の所属長"
    assert chief.input_value("input[name=place]") == "本庁舎1階 市民課窓口"
    chief.check("input[name=exit_order]")
    chief.fill("textarea[name=details]", "退去を3回求めても応じない。次の来庁は月曜10時の予定。")
    chief.click("#building-form button[type=submit]")
    chief.wait_for_url(f"{live_server.url}/support/building/*/")
    assert chief.locator("#state").inner_text() == "依頼済み（回答待ち）"
    building = BuildingRequest.objects.get()

    answering = page_factory(viewport=PHONE, reduced_motion="reduce")
    answering.context.add_init_script(path=str(axe_source()))
    login(answering, live_server, "kanzai")
    answering.goto(f"{live_server.url}/inbox/")
    answering.click("a.notice-link")
    answering.wait_for_url(f"{live_server.url}/support/building/{building.pk}/")
    assert "退去命令の発出・支援" in answering.locator("#help-wanted").inner_text()
    assert answering.locator(f'a[href="/reports/{case.pk}/"]').count() == 0  # the request, not the case
    violations = [v for v in answering.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
                  if v.get("impact") in FAILING]
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    assert answering.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    answering.fill("textarea[name=answer]", "月曜10時から警備員1名を市民課窓口に配置します。")
    answering.click("#move-answer button[type=submit]")
    answering.wait_for_url(f"{live_server.url}/support/building/{building.pk}/")
    assert answering.locator("#state").inner_text() == "回答済み"

    chief.reload()
    assert chief.locator("#state").inner_text() == "回答済み"
    assert "警備員1名を市民課窓口に配置します" in chief.locator("#answer").inner_text()
    building.refresh_from_db()
    assert building.state == BuildingState.ANSWERED
    assert not chief.outside_requests
