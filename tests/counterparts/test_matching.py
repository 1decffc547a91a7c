"""Finding the same 相手方 again: full-width/half-width, spaces and dashes do not matter, and the
suggestions for a report put the same phone number first, then the same name, then the address."""

from __future__ import annotations

import pytest

from counterparts import selectors
from counterparts.models import Counterpart, split_contact
from tests.incidents.html import Page


@pytest.fixture
def report_about(users, make_report):
    def make(name="", contact=""):
        return make_report(users["staff"], counterpart_name=name, counterpart_contact=contact)

    return make


def suggested(report) -> list[str]:
    return [c.name for c in selectors.suggestions(report)]


def test_name_with_a_full_width_space_matches_the_name_without(report_about, make_counterpart):
    make_counterpart(name="山田太郎")
    make_counterpart(name="山田花子")
    assert suggested(report_about(name="山田　太郎")) == ["山田太郎"]


def test_full_width_phone_with_dashes_matches_plain_digits(report_about, make_counterpart):
    make_counterpart(name="電話の人", phone="09012345678")
    assert suggested(report_about(contact="０９０－１２３４－５６７８")) == ["電話の人"]


def test_address_spacing_and_width_do_not_matter(report_about, make_counterpart):
    make_counterpart(name="住所の人", address="東京都港区芝公園１－２－３")
    assert suggested(report_about(contact="東京都 港区 芝公園 1-2-3")) == ["住所の人"]


def test_suggestions_rank_phone_then_name_then_address(report_about, make_counterpart):
    make_counterpart(name="住所だけ一致", address="港区芝1-2-3")
    make_counterpart(name="山田太郎", phone="03-0000-0000")
    make_counterpart(name="電話だけ一致", phone="090 1234 5678")
    make_counterpart(name="無関係", phone="0311112222", address="千代田区")
    report = report_about(name="山田 太郎", contact="港区芝１－２－３ TEL ０９０-１２３４-５６７８")
    assert suggested(report) == ["電話だけ一致", "山田太郎", "住所だけ一致"]
    assert [c.match for c in selectors.suggestions(report)] == ["phone", "name", "address"]


def test_report_without_counterpart_details_gets_no_suggestions(report_about, make_counterpart):
    make_counterpart(name="誰か")
    assert suggested(report_about()) == []


def test_already_linked_counterpart_is_not_suggested_again(report_about, make_counterpart, link):
    counterpart = make_counterpart(name="山田太郎")
    report = report_about(name="山田太郎")
    link(counterpart, report)
    assert suggested(report) == []


def test_the_contact_text_is_split_into_phone_and_address():
    assert split_contact("港区芝1-2-3 TEL ０９０－１２３４－５６７８") == ("０９０－１２３４－５６７８", "港区芝1-2-3")
    assert split_contact("東京都港区1-2-3") == ("", "東京都港区1-2-3")


def test_list_search_is_folded(client_as, make_counterpart):
    make_counterpart(name="ヤマダ タロウ", phone="090-1234-5678", address="港区芝公園1-2-3")
    make_counterpart(name="別の人", phone="03-9999-9999")
    client = client_as("desk")
    for query in ("ﾔﾏﾀﾞﾀﾛｳ", "０９０１２３４", "芝公園　１－２"):
        page = Page(client.get("/counterparts/", {"q": query}).content)
        names = [row.find("th").text for row in page.find("tbody").find_all("tr")]
        assert names == ["ヤマダ タロウ"], query


def test_the_link_page_searches_too(client_as, users, report_about, make_counterpart):
    make_counterpart(name="検索で見つかる人", phone="0312345678")
    report = report_about(name="別名")
    page = Page(client_as("desk").get(f"/counterparts/link/{report.pk}/", {"q": "０３－１２３４"}).content)
    assert [r.find("th").text for r in page.by_id("results").find("tbody").find_all("tr")] == ["検索で見つかる人"]


def test_keys_are_kept_current_on_edit(make_counterpart):
    counterpart = make_counterpart(name="旧姓")
    counterpart.name = "新姓　花子"
    counterpart.save(update_fields=["name"])
    assert Counterpart.objects.get(name_key="新姓花子") == counterpart
