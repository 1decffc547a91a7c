"""庁内共有 (the shared case board): drafting from a decided case with the people removed, the check
against the counterpart's and the staff's stored details (width, spacing and hyphen variants),
publishing only after a person's review (and the ``share`` move), and reading the board as any
member of staff without seeing anyone's personal data or a way into the case."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from committee import board
from committee.models import (
    AgendaItem,
    AgendaState,
    BoardEntry,
    CommitteeAction,
    CommitteeEvent,
    Decision,
    Judged,
    Measure,
    MeasureType,
    Meeting,
)
from counterparts.models import Counterpart, CounterpartLink
from incidents.lifecycle import Status
from incidents.models import EventAction, IncidentReport, ReportEvent
from tests.incidents.conftest import make_report  # noqa: F401

NAME, PHONE, ADDRESS = "山田 太郎", "090-1234-5678", "東京都港区芝1-2-3"
#: Everything personal that must never reach a reader of the board.
PERSONAL = ["山田", "090-1234-5678", "09012345678", "０９０", "港区芝", "芝1-2-3", "窓口 花子", "窓口花子"]


@pytest.fixture
def case(users, make_report):  # noqa: F811
    """A decided case of 市民課 (reporter ``staff``), naming 山田 太郎 with his phone and address,
    linked to the registered counterpart, with a finalised decision and one measure."""
    report = make_report(
        users["staff"], status=Status.DECIDED, type_codes=("verbal_abuse", "long_detention"),
        title="山田太郎氏による長時間の電話",
        counterpart_name=NAME, counterpart_contact=f"{ADDRESS} TEL {PHONE}",
        conduct="山田 太郎と名乗り「窓口 花子を出せ」と2時間怒鳴り続けた。折り返しは０９０－１２３４－５６７８へ、と言った。",
        demand="東京都港区芝1-2-3の自宅まで説明に来ること",
    )
    counterpart = Counterpart.objects.create(created_by=users["desk"], name=NAME, phone=PHONE, address=ADDRESS)
    CounterpartLink.objects.create(counterpart=counterpart, report=report, linked_by=users["desk"])
    meeting = Meeting.objects.create(starts_at=timezone.now(), created_by=users["desk"])
    item = AgendaItem.objects.create(meeting=meeting, report=report, added_by=users["desk"],
                                     state=AgendaState.DECIDED)
    decision = Decision.objects.create(item=item, report=report, judged=Judged.YES, created_by=users["chair"],
                                       policy="文書で警告し、電話の対応は総務課に一本化する。",
                                       finalised_at=timezone.now(), finalised_by=users["chair"])
    Measure.objects.create(decision=decision, type=MeasureType.objects.get(code="warning_letter"),
                           owner_section=users["desk"].section, due_on=datetime.date(2030, 1, 1),
                           detail="警告書を送付する")
    return report


def entry_data(**changes) -> dict:
    """What the summary form posts: a clean text by default."""
    from manual.models import HarassmentType

    data = {
        "title": "電話で長時間怒鳴られた",
        "types": [str(HarassmentType.objects.get(code="verbal_abuse").pk)],
        "channel": "phone",
        "what_happened": "相手方が職員Aを名指しして、2時間にわたり電話で怒鳴り続けた。",
        "how_handled": "30分を目安に警告し、上司に交代して終話した。",
        "policy": "文書で警告し、電話の対応は総務課に一本化する。",
        "lessons": "早めに交代し、やり取りを記録しておくこと。",
        "action": "save",
    }
    data.update(changes)
    return data


def make_entry(case, users, **changes) -> BoardEntry:
    data = entry_data(**changes)
    from manual.models import HarassmentType

    data["types"] = list(HarassmentType.objects.filter(pk__in=data["types"]))
    return board.create_entry(report=case, actor=users["desk"], data=data)


def publish(entry, users, reviewed=True):
    return board.publish_entry(entry=entry, actor=users["desk"], reviewed=reviewed)


def text_of(response) -> str:
    return response.content.decode()


# -- drafting ------------------------------------------------------------------------------------

def test_the_draft_is_prefilled_from_the_case_without_the_people(case, client_as):
    response = client_as("desk").get(reverse("board:new", args=[case.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    values = {name: form.initial[name] for name in board.TEXT_FIELDS}
    prefilled = "\n".join(values.values())
    assert "「職員Aを出せ」" in values["what_happened"]  # the reporter, named in the conduct
    assert "相手方と名乗り" in values["what_happened"]
    assert "（電話番号）" in values["what_happened"] and "（住所）" in values["what_happened"]
    assert "言動をやめるよう警告" in values["how_handled"]  # from the 経過記録
    assert values["policy"].startswith("文書で警告し") and "文書による警告：警告書を送付する" in values["policy"]
    for detail in PERSONAL:
        assert detail not in prefilled, detail
    assert response.context["flags"] == []
    assert {t.code for t in form.initial["types"]} == {"verbal_abuse", "long_detention"}


def test_only_the_desk_drafts_and_only_from_a_decided_case(case, users, client_as, make_report):  # noqa: F811
    url = reverse("board:new", args=[case.pk])
    for username in ("staff", "staff2", "chief", "director", "chair", "member", "admin"):
        assert client_as(username).get(url).status_code == 404, username
        assert client_as(username).post(url, entry_data()).status_code == 404, username
    assert not BoardEntry.objects.exists()
    referred = make_report(users["staff"], status=Status.REFERRED)
    response = client_as("desk").get(reverse("board:new", args=[referred.pk]), follow=True)
    assert "対応方針が決定した事案" in text_of(response)
    assert not BoardEntry.objects.exists()


def test_the_case_page_offers_the_draft_to_the_desk_only(case, client_as, users):
    url = reverse("incidents:detail", args=[case.pk])
    assert 'id="board-draft-link"' in text_of(client_as("desk").get(url))
    assert 'id="board-draft-link"' not in text_of(client_as("staff").get(url))
    entry = make_entry(case, users)
    assert 'id="board-draft-link"' in text_of(client_as("desk").get(url))  # a draft is not yet published
    publish(entry, users)
    assert 'id="board-draft-link"' not in text_of(client_as("desk").get(url))


def test_saving_the_draft_records_an_event_and_opens_the_check(case, client_as):
    response = client_as("desk").post(reverse("board:new", args=[case.pk]), entry_data())
    entry = BoardEntry.objects.get(report=case)
    assert response.status_code == 302 and response["Location"] == reverse("board:edit", args=[entry.pk])
    assert entry.flags == [] and entry.published_at is None
    assert CommitteeEvent.objects.filter(report=case, action=CommitteeAction.BOARD_DRAFTED).count() == 1
    assert client_as("desk").get(reverse("board:new", args=[case.pk]))["Location"] == reverse(
        "board:edit", args=[entry.pk])


# -- the check -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind"), [
    ("山田 太郎さんが来庁した。", "name"),
    ("山田太郎さんが来庁した。", "name"),  # without the space
    ("山田　太郎さんが来庁した。", "name"),  # full-width space
    ("山田さんが来庁した。", "name"),  # the family name alone
    ("折り返しは090-1234-5678へ。", "phone"),
    ("折り返しは09012345678へ。", "phone"),  # without hyphens
    ("折り返しは０９０－１２３４－５６７８へ。", "phone"),  # full-width digits and dashes
    ("折り返しは０９０１２３４５６７８へ。", "phone"),
    ("折り返しは(090)1234 5678へ。", "phone"),
    ("自宅は東京都港区芝1-2-3にある。", "address"),
    ("自宅は芝１－２－３にある。", "address"),  # the 番地 without the 都・区, full-width
    ("窓口 花子が対応した。", "name"),  # the reporter
    ("窓口花子が対応した。", "name"),
])
def test_personal_details_left_in_the_text_are_flagged_and_publishing_is_refused(case, users, text, kind):
    entry = make_entry(case, users, what_happened=text)
    assert [(f["field"], f["kind"]) for f in entry.flags] == [("what_happened", kind)]
    flagged = entry.flags[0]
    assert text[flagged["start"]:flagged["end"]] == flagged["text"]
    with pytest.raises(Exception, match="個人情報の疑いがある箇所が 1 か所残っている"):
        publish(entry, users)
    entry.refresh_from_db()
    case.refresh_from_db()
    assert entry.published_at is None and case.status == Status.DECIDED


def test_half_width_katakana_of_a_katakana_name_is_flagged(case, users):
    Counterpart.objects.filter(links__report=case).update(name="ヤマダ タロウ")
    entry = make_entry(case, users, lessons="ﾔﾏﾀﾞ ﾀﾛｳ氏への対応")
    assert [(f["field"], f["text"]) for f in entry.flags] == [("lessons", "ﾔﾏﾀﾞ ﾀﾛｳ")]


def test_ordinary_numbers_and_words_are_not_flagged(case, users):
    entry = make_entry(case, users, what_happened="2時間、3回にわたり電話があった。1090123456789 は受付番号。")
    assert entry.flags == []


def test_the_edit_page_shows_each_flag_marked_and_refuses_to_publish(case, users, client_as):
    entry = make_entry(case, users)
    url = reverse("board:edit", args=[entry.pk])
    posted = entry_data(what_happened="山田太郎が来た。", how_handled="０９０－１２３４－５６７８に折り返した。",
                        policy="東京都港区芝1-2-3 へ文書を送る。", reviewed="on", action="publish")
    response = client_as("desk").post(url, posted)
    assert response.status_code == 400
    page = text_of(response)
    assert "個人情報の疑いがある箇所が 3 か所残っているため、公開できません" in page
    rows = re.findall(r'<tr class="board-flag" data-field="(\w+)" data-kind="(\w+)">(.*?)</tr>', page, re.S)
    assert [(field, kind) for field, kind, _ in rows] == [
        ("what_happened", "name"), ("how_handled", "phone"), ("policy", "address")]
    assert "<mark>山田太郎</mark>" in rows[0][2] and "相手方の氏名" in rows[0][2]
    assert "<mark>０９０－１２３４－５６７８</mark>" in rows[1][2] and "電話番号" in rows[1][2]
    assert "<mark>東京都港区芝1-2-3</mark>" in rows[2][2] and "住所" in rows[2][2]
    assert "（該当箇所ここから）" in rows[0][2]  # the match is announced, not only coloured
    entry.refresh_from_db()
    case.refresh_from_db()
    assert len(entry.flags) == 3 and entry.what_happened == "山田太郎が来た。"  # saved, not published
    assert entry.published_at is None and case.status == Status.DECIDED
    assert not ReportEvent.objects.filter(report=case, action=EventAction.SHARED).exists()


def test_after_fixing_publish_needs_the_review_then_shares_the_case(case, users, client_as):
    entry = make_entry(case, users, what_happened="山田太郎が来た。")
    url = reverse("board:edit", args=[entry.pk])
    desk = client_as("desk")

    response = desk.post(url, entry_data(action="publish"))  # fixed, but 「確認しました」 not ticked
    assert response.status_code == 400
    assert "「確認しました」にチェックしてください" in text_of(response)
    entry.refresh_from_db()
    assert entry.flags == [] and entry.published_at is None
    assert CommitteeEvent.objects.filter(action=CommitteeAction.BOARD_EDITED).count() == 1

    response = desk.post(url, entry_data(action="publish", reviewed="on"))
    assert response.status_code == 302 and response["Location"] == reverse("board:detail", args=[entry.pk])
    entry.refresh_from_db()
    case.refresh_from_db()
    assert entry.published_at is not None and entry.reviewed_by == users["desk"]
    assert case.status == Status.SHARED
    shared = ReportEvent.objects.get(report=case, action=EventAction.SHARED)
    assert (shared.from_status, shared.to_status, shared.actor) == (Status.DECIDED, Status.SHARED, users["desk"])
    assert CommitteeEvent.objects.filter(report=case, action=CommitteeAction.BOARD_PUBLISHED,
                                         actor=users["desk"]).count() == 1
    assert desk.get(url)["Location"] == reverse("board:detail", args=[entry.pk])  # no edits once published
    with pytest.raises(Exception, match="公開済み"):
        board.update_entry(entry=entry, actor=users["desk"], data=entry_data())


def test_details_added_to_the_counterpart_after_saving_still_stop_publishing(case, users):
    entry = make_entry(case, users, lessons="市内本町4-5-6 の件と同じ")
    assert entry.flags == []
    counterpart = Counterpart.objects.get(links__report=case)
    counterpart.address = "市内本町4-5-6"  # the register learns his second address
    counterpart.save()
    with pytest.raises(Exception, match="個人情報の疑い"):
        publish(entry, users)
    entry.refresh_from_db()
    assert [f["kind"] for f in entry.flags] == ["address"] and entry.published_at is None


def test_a_case_not_decided_any_more_is_not_shared(case, users):
    entry = make_entry(case, users)
    IncidentReport.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    with pytest.raises(Exception, match="庁内共有できません"):
        publish(entry, users)
    entry.refresh_from_db()
    assert entry.published_at is None


# -- reading the board -------------------------------------------------------------------------------

def test_staff_of_another_section_reads_the_entry_without_personal_data_or_the_case(case, users, client_as):
    entry = make_entry(case, users)
    publish(entry, users)
    reader = client_as("staff2")
    listing = text_of(reader.get(reverse("board:list")))
    assert entry.title in listing
    page = text_of(reader.get(reverse("board:detail", args=[entry.pk])))
    assert entry.what_happened in page
    for detail in PERSONAL:
        assert detail not in page and detail not in listing, detail
    case_url = reverse("incidents:detail", args=[case.pk])
    assert case_url not in page and case_url not in listing
    assert f"No.{case.pk}" not in page and "事案を開く" not in page
    for code in ("verbal_abuse",):
        assert reverse("manual:type", args=[code]) in page
    # the reporter may open the case from the entry
    assert case_url in text_of(client_as("staff").get(reverse("board:detail", args=[entry.pk])))


def test_an_unpublished_entry_is_404_for_everyone_but_the_desk(case, users, client_as):
    entry = make_entry(case, users)
    url = reverse("board:detail", args=[entry.pk])
    for username in ("staff", "staff2", "chief", "director", "chair", "member", "admin"):
        assert client_as(username).get(url).status_code == 404, username
        assert client_as(username).get(reverse("board:edit", args=[entry.pk])).status_code == 404, username
        assert entry.title not in text_of(client_as(username).get(reverse("board:list"))), username
    assert client_as("desk").get(url).status_code == 200
    assert entry.title in text_of(client_as("desk").get(reverse("board:list")))  # the desk's drafts


def test_the_board_needs_a_sign_in(case, users, client):
    assert client.get(reverse("board:list")).status_code == 302


def _published(users, make_report, title, type_codes, text, days_ago):  # noqa: F811
    report = make_report(users["staff2"], status=Status.DECIDED, type_codes=type_codes, title=title)
    from manual.models import HarassmentType

    entry = board.create_entry(report=report, actor=users["desk"], data={
        **entry_data(title=title, what_happened=text),
        "types": list(HarassmentType.objects.filter(code__in=type_codes)),
    })
    publish(entry, users)
    BoardEntry.objects.filter(pk=entry.pk).update(published_at=timezone.now() - datetime.timedelta(days=days_ago))
    return entry


def test_the_board_lists_newest_first_and_searches_by_type_and_words(users, client_as, make_report):  # noqa: F811
    old = _published(users, make_report, "書類を投げつけられた", ["violence"], "ＳＮＳに投稿すると言った。", 10)
    new = _published(users, make_report, "長時間の電話", ["long_detention"], "2時間、同じ主張を続けた。", 1)
    reader = client_as("staff2")

    def titles(**params) -> list[str]:
        response = reader.get(reverse("board:list"), params)
        assert response.status_code == 200
        return [e.title for e in response.context["page"].object_list]

    assert titles() == [new.title, old.title]
    assert titles(type="violence") == [old.title]
    assert titles(q="sns") == [old.title]  # half-width, lower case finds ＳＮＳ
    assert titles(q="２時間 主張") == [new.title]  # every word, full-width digits
    assert titles(q="主張", type="violence") == []
    assert "条件に一致する記事はありません" in text_of(reader.get(reverse("board:list"), {"q": "存在しない言葉"}))
    response = reader.get(reverse("board:list"), {"type": "no-such-type"})
    assert response.status_code == 200 and "正しく選択してください" in text_of(response)


def test_the_board_is_paginated(users, client_as, make_report, monkeypatch):  # noqa: F811
    from committee import board_views

    monkeypatch.setattr(board_views, "PAGE_SIZE", 2)
    for i in range(3):
        _published(users, make_report, f"事案{i}", ["verbal_abuse"], "怒鳴られた。", i)
    first = client_as("staff").get(reverse("board:list"))
    assert len(first.context["page"].object_list) == 2 and "1 / 2" in text_of(first)
    second = client_as("staff").get(reverse("board:list"), {"page": 2})
    assert [e.title for e in second.context["page"].object_list] == ["事案2"]


def test_the_navigation_links_the_board_for_everyone(client_as):
    for username in ("staff", "desk", "member"):
        assert reverse("board:list") in text_of(client_as(username).get(reverse("home"))), username


def test_the_case_is_shared_only_by_publishing_a_reviewed_entry(case, client_as):
    """The case page offers no bare 「庁内共有」 move: sharing without an entry would skip the review."""
    desk = client_as("desk")
    assert 'id="move-share"' not in text_of(desk.get(reverse("incidents:detail", args=[case.pk])))
    response = desk.post(reverse("incidents:move", args=[case.pk, "share"]), {"version": str(case.version)})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == Status.DECIDED
