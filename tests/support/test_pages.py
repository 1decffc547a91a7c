"""The request pages as a user meets them: asking from the case, the 依頼書 printed on A4 in 和暦,
the report's upload checked like evidence and served through the policy, refused forms that keep
what was typed, and a move someone else made first."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from support import services
from support.models import BuildingRequest, LegalRequest, LegalState, SupportEvent
from tests.incidents.conftest import pdf_bytes, png_bytes
from tests.incidents.html import Page
from tests.support.conftest import BACKGROUND, DETAILS, ISSUES, PLANNED

JST = ZoneInfo("Asia/Tokyo")
STATIC_DIR = Path(django_settings.BASE_DIR) / "static"


def test_the_chief_asks_for_a_legal_consultation_from_the_case(client, users, case):
    client.force_login(users["chief"])
    form = Page(client.get(f"/support/legal/new/{case.pk}/").content)
    token = form.find("input", name="form_token").attrs["value"]

    response = client.post(f"/support/legal/new/{case.pk}/", {
        "form_token": token, "background": BACKGROUND, "planned_response": PLANNED, "legal_issues": ISSUES})
    again = client.post(f"/support/legal/new/{case.pk}/", {
        "form_token": token, "background": BACKGROUND, "planned_response": PLANNED, "legal_issues": ISSUES})

    legal = LegalRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/support/legal/{legal.pk}/"
    assert again["Location"] == response["Location"]  # a double click asks once
    assert (legal.requested_by, legal.requester_section, legal.state) == (
        users["chief"], users["chief"].section, LegalState.REQUESTED)
    page = Page(client.get(response["Location"]).content)
    assert page.by_id("background").text == BACKGROUND


def test_a_legal_request_missing_a_part_is_refused_with_what_was_typed_kept(client, users, case):
    client.force_login(users["desk"])

    response = client.post(f"/support/legal/new/{case.pk}/", {"background": BACKGROUND, "planned_response": PLANNED,
                                                              "legal_issues": ""})

    assert response.status_code == 400
    page = Page(response.content)
    assert page.error_for("legal_issues") == "弁護士に確かめたい法的な問題点を書いてください。"
    assert page.find("textarea", name="background").text == BACKGROUND
    assert not LegalRequest.objects.exists()


def test_the_request_form_prints_as_an_a4_iraisho_in_wareki(client, users, make_legal):
    legal = make_legal()
    LegalRequest.objects.filter(pk=legal.pk).update(requested_at=datetime(2025, 6, 20, 9, 0, tzinfo=JST))
    services.arrange_legal(request=legal, actor=users["gachief"], lawyer="山本 一郎 弁護士", venue="第2会議室",
                           scheduled_at=datetime(2025, 7, 1, 10, 0, tzinfo=JST))
    client.force_login(users["desk"])

    response = client.get(f"/support/legal/{legal.pk}/print/")

    page = Page(response.content)
    assert response.status_code == 200
    assert page.find("h1").text == "法律相談依頼書"
    assert page.by_id("requested-on").text == "令和7年6月20日 (2025-06-20)"
    # The case's 08:30 JST on 18 June is still 17 June in UTC: the local day is printed.
    assert page.by_id("occurred").text == "令和7年6月18日 (2025-06-18) 08:30"
    assert page.by_id("scheduled").text == "令和7年7月1日 (2025-07-01) 10:00"
    assert page.by_id("addressee").text == "総務課 文書係 宛"
    for text in (BACKGROUND, PLANNED, ISSUES, "山本 一郎 弁護士（第2会議室）", "暴言型"):
        assert text in page.root.text
    assert 'class="container print-sheet' in response.content.decode()  # the A4 sheet of app.css
    assert SupportEvent.objects.filter(legal_request=legal, action="printed").count() == 1


def _arranged_and_held(users, legal):
    services.arrange_legal(request=legal, actor=users["gachief"], lawyer="山本 弁護士",
                           scheduled_at=datetime(2025, 7, 1, 10, 0, tzinfo=JST))
    services.hold_legal(request=legal, actor=users["desk"], held_on=date(2025, 7, 1))


def test_the_report_is_stored_privately_and_served_only_through_the_policy(client, users, settings, make_legal):
    legal = make_legal()
    _arranged_and_held(users, legal)
    client.force_login(users["desk"])
    content = pdf_bytes()

    response = client.post(f"/support/legal/{legal.pk}/report/", {
        "file": SimpleUploadedFile("港区_法律相談報告書.pdf", content, content_type="application/pdf"),
        "summary": "出入禁止は可能との見解"})

    assert response.status_code == 302
    legal.refresh_from_db()
    assert (legal.state, legal.report_file_name, legal.report_file_type, legal.report_file_size) == (
        LegalState.REPORTED, "港区_法律相談報告書.pdf", "application/pdf", len(content))
    stored = Path(legal.report_file.path).resolve()
    assert stored.is_relative_to(Path(settings.STORAGES["default"]["OPTIONS"]["location"]).resolve())
    assert not stored.is_relative_to(STATIC_DIR.resolve())
    assert "港区" not in str(stored) and "報告書" not in str(stored)  # a random name, never the uploaded one
    assert stored.stat().st_mode & 0o077 == 0  # readable by the app's own user only

    download = client.get(f"/support/legal/{legal.pk}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert download["Content-Disposition"].startswith("attachment;")
    assert "no-store" in download["Cache-Control"]
    client.force_login(users["staff2"])
    assert client.get(f"/support/legal/{legal.pk}/file/").status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("報告書.pdf", b"<html><script>alert(1)</script></html>\n" * 10,
         "「報告書.pdf」は添付できない形式です。音声（MP3・M4A・WAV など）、画像（JPEG・PNG など）、"
         "PDF のみ添付できます（拡張子ではなくファイルの中身で判定しています）。"),
        ("空.pdf", b"", "選んだファイルは空です。"),
    ],
    ids=["text-named-pdf", "empty"],
)
def test_a_report_that_is_not_a_document_is_refused_by_its_content(client, users, make_legal, name, content, message):
    legal = make_legal()
    _arranged_and_held(users, legal)
    client.force_login(users["desk"])

    response = client.post(f"/support/legal/{legal.pk}/report/", {
        "file": SimpleUploadedFile(name, content, content_type="application/pdf"), "summary": "要旨は残る"})

    assert response.status_code == 400
    page = Page(response.content)
    assert page.error_for("file") == message
    assert page.find("textarea", name="summary").text == "要旨は残る"
    legal.refresh_from_db()
    assert (legal.state, bool(legal.report_file)) == (LegalState.HELD, False)


def test_a_report_over_the_size_limit_is_refused_before_it_is_stored(client, users, settings, make_legal, tmp_path):
    settings.KASUHARA_MAX_UPLOAD_MB = 1
    legal = make_legal()
    _arranged_and_held(users, legal)
    client.force_login(users["desk"])
    big = png_bytes() + b"\x00" * (1024 * 1024 + 10)

    response = client.post(f"/support/legal/{legal.pk}/report/", {
        "file": SimpleUploadedFile("scan.png", big, content_type="image/png")})

    assert response.status_code == 400
    assert Page(response.content).error_for("file") == "「scan.png」は大きすぎます（1ファイル 1 MB まで）。"
    legal.refresh_from_db()
    assert legal.state == LegalState.HELD
    uploads = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))


def test_an_image_scan_is_accepted_as_the_report(client, users, make_legal):
    legal = make_legal()
    _arranged_and_held(users, legal)
    client.force_login(users["desk"])
    response = client.post(f"/support/legal/{legal.pk}/report/", {
        "file": SimpleUploadedFile("scan.png", png_bytes(), content_type="application/octet-stream")})
    assert response.status_code == 302
    legal.refresh_from_db()
    assert legal.report_file_type == "image/png"


def test_a_move_made_by_someone_else_first_is_a_conflict_that_keeps_what_was_typed(client, users, make_legal):
    legal = make_legal()
    client.force_login(users["desk"])
    client.get(f"/support/legal/{legal.pk}/")  # the page is open with 取下げ offered
    services.arrange_legal(request=legal, actor=users["gachief"], lawyer="山本 弁護士",
                           scheduled_at=datetime(2025, 7, 1, 10, 0, tzinfo=JST))
    services.hold_legal(request=legal, actor=users["gachief"], held_on=date(2025, 7, 1))

    response = client.post(f"/support/legal/{legal.pk}/withdraw/", {"reason": "相手方が謝罪したため"})

    assert response.status_code == 409
    page = Page(response.content)
    assert "「相談実施済み（報告書待ち）」の依頼には「取下げ」を記録できません。" in page.root.text
    assert page.find("textarea", name="reason").text == "相手方が謝罪したため"
    legal.refresh_from_db()
    assert legal.state == LegalState.HELD


def test_a_bad_date_is_refused_beside_its_field(client, users, make_legal):
    legal = make_legal()
    client.force_login(users["gachief"])

    response = client.post(f"/support/legal/{legal.pk}/arrange/", {"scheduled_at": "2025-13-45T10:00",
                                                                   "lawyer": "山本 弁護士"})

    assert response.status_code == 400
    page = Page(response.content)
    assert page.error_for("scheduled_at") == "日時は「2025-06-18 14:05」のように、年-月-日 時:分 の形で入力してください。"
    assert page.find("input", name="lawyer").attrs["value"] == "山本 弁護士"


def test_the_chief_asks_the_building_section_and_its_chief_answers(client, users, case, kanzai):
    client.force_login(users["chief"])
    form = Page(client.get(f"/support/building/new/{case.pk}/").content)
    assert form.by_id("receiving").text == "依頼先：契約管財課の所属長"
    assert form.find("input", name="place").attrs["value"] == "本庁舎1階 市民課窓口"  # from the case

    response = client.post(f"/support/building/new/{case.pk}/", {
        "form_token": form.find("input", name="form_token").attrs["value"], "place": "本庁舎1階 市民課窓口",
        "guard": "on", "needed_at": "", "details": DETAILS})

    building = BuildingRequest.objects.get()
    assert response["Location"] == f"/support/building/{building.pk}/"
    client.force_login(kanzai)
    assert client.post(f"/support/building/{building.pk}/answer/", {"answer": "警備員1名を配置します。"}).status_code == 302
    client.force_login(users["chief"])
    page = Page(client.get(f"/support/building/{building.pk}/").content)
    assert page.by_id("state").text == "回答済み"
    assert "警備員1名を配置します。" in page.by_id("answer").text
    assert page.by_id("help-wanted").text == "警備員の出動"
    assert page.by_id("needed-at").text == "できるだけ早く"


def test_a_building_request_asking_for_nothing_is_refused(client, users, case, building_section):
    client.force_login(users["chief"])
    response = client.post(f"/support/building/new/{case.pk}/", {"place": "窓口", "details": DETAILS})
    assert response.status_code == 400
    assert Page(response.content).error_for("guard") == (
        "「警備員の出動」か「退去命令の発出・支援」の少なくとも一方を選んでください。")
    assert not BuildingRequest.objects.exists()


def test_with_no_building_section_the_page_says_so_and_keeps_what_was_typed(client, users, case):
    client.force_login(users["chief"])
    assert Page(client.get(f"/support/building/new/{case.pk}/").content).by_id("no-building-section") is not None

    response = client.post(f"/support/building/new/{case.pk}/", {"place": "窓口", "guard": "on", "details": DETAILS})

    assert response.status_code == 400
    page = Page(response.content)
    assert "庁舎を管理する課が設定されていないため、依頼を送れません。" in page.by_id("error-summary").text
    assert page.find("textarea", name="details").text == DETAILS


def test_the_lists_show_each_side_its_requests(client, users, make_legal, make_building, kanzai):
    legal = make_legal(actor=users["chief"])
    building = make_building()
    client.force_login(users["gachief"])
    assert f"/support/legal/{legal.pk}/" in client.get("/support/").content.decode()
    client.force_login(kanzai)
    page = client.get("/support/").content.decode()  # the building 課's own list first
    assert f"/support/building/{building.pk}/" in page and f"/support/legal/{legal.pk}/" not in page
    client.force_login(users["staff2"])
    assert "表示できる依頼はありません" in client.get("/support/?kind=building").content.decode()
