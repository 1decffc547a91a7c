"""Reading the manual as staff: the home with its ten cards, search (Japanese substrings, full-width
and half-width folded), the printable whole, the during-an-incident view, the playbooks in the
report form, and the log-in wall."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils.html import escape

from manual.models import CitySettings, ManualEdition
from manual.rendering import fill

pytestmark = pytest.mark.django_db

TYPE_NAMES = [
    "長時間拘束型", "リピート型", "暴言型", "威嚇・脅迫型", "権威型", "庁舎外拘束型",
    "SNS/インターネット上での誹謗中傷型", "セクシュアルハラスメント型", "公私混同型", "暴力型",
]
HIT = re.compile(
    r'<span class="badge text-bg-secondary">(?P<kind>[^<]+)</span>\s*<a href="(?P<href>[^"]+)">(?P<title>[^<]+)</a>'
)


@pytest.fixture
def staff(client_as) -> Client:
    return client_as("staff")


@pytest.fixture
def content() -> dict:
    return ManualEdition.objects.latest().content


@pytest.fixture
def placeholders() -> dict[str, str]:
    return CitySettings.load().placeholders()


def shown(text: str, placeholders: dict[str, str]) -> str:
    """A content text as the templates show it: blanks filled, HTML-escaped."""
    return str(escape(fill(text, placeholders)))


def without_type_links(html: str) -> str:
    """The page with the links a step puts on the 態様 it names taken out, leaving their words."""
    return re.sub(r'<a href="[^"]*" class="type-link">([^<]*)</a>', r"\1", html)


def search(client: Client, query: str) -> list[dict]:
    response = client.get("/manual/search/", {"q": query})
    assert response.status_code == 200
    return [
        {"kind": m["kind"], "href": unescape(m["href"]), "title": unescape(m["title"])}
        for m in HIT.finditer(response.content.decode())
    ]


# -- home -------------------------------------------------------------------------------------

def test_home_lists_the_ten_types_as_cards_in_order(staff):
    html = staff.get("/manual/").content.decode()
    cards = re.findall(r'<div class="card h-100 type-card">\s*<div class="card-body">\s*<h3[^>]*>（(\d+)）([^<]+)</h3>', html)
    assert [(int(n), name) for n, name in cards] == list(enumerate(TYPE_NAMES, 1))
    for code in ["long_detention", "verbal_abuse", "violence"]:
        assert f'href="/manual/types/{code}/"' in html
        assert f'href="/manual/types/{code}/live/"' in html
    assert 'href="/manual/chapters/definition/"' in html
    assert "奥州市カスタマーハラスメント対応マニュアル" in html


def test_a_type_page_shows_every_step_and_phrase_and_links_its_cross_references(staff, content, placeholders):
    html = staff.get("/manual/types/authority/").content.decode()
    authority = next(t for t in content["types"] if t["code"] == "authority")
    for step in authority["steps"]:
        assert shown(step["text"], placeholders) in without_type_links(html)
        for phrase in step["phrases"]:
            assert f'id="phrase-{phrase["id"]}">▶ {shown(phrase["text"], placeholders)}' in html
    assert '<a href="/manual/types/long_detention/">長時間拘束型</a>' in html
    assert '<a href="/manual/types/intimidation/">威嚇・脅迫型</a>' in html
    # …and inside step ⑤, where the text itself names them.
    step5 = html[html.index('id="step-' + str(authority["steps"][4]["id"]) + '"'):]
    step5 = step5[:step5.index("</li>")]
    assert '「<a href="/manual/types/long_detention/" class="type-link">長時間拘束型</a>」' in step5
    assert '「<a href="/manual/types/intimidation/" class="type-link">威嚇・脅迫型</a>」' in step5
    # Minato's scene examples of this 態様.
    assert "＜土下座の要求＞" in html


def test_an_unknown_type_or_chapter_is_404(staff):
    assert staff.get("/manual/types/no_such_type/").status_code == 404
    assert staff.get("/manual/types/no_such_type/live/").status_code == 404
    assert staff.get("/manual/chapters/no-such-chapter/").status_code == 404


# -- search -----------------------------------------------------------------------------------

def assert_links_resolve(client: Client, hits: list[dict]) -> None:
    pages: dict[str, str] = {}
    for hit in hits:
        url = urlsplit(hit["href"])
        if url.path not in pages:
            response = client.get(url.path)
            assert response.status_code == 200, hit
            pages[url.path] = response.content.decode()
        if url.fragment:
            assert f'id="{url.fragment}"' in pages[url.path], hit


def test_search_recording_finds_steps_phrases_and_chapters_and_links_to_them(staff, content):
    hits = search(staff, "録音")
    kinds = {h["kind"] for h in hits}
    assert {"対応例", "例文", "章"} <= kinds
    verbal = next(t for t in content["types"] if t["code"] == "verbal_abuse")
    step2 = verbal["steps"][1]
    assert f"/manual/types/verbal_abuse/#step-{step2['id']}" in [h["href"] for h in hits]
    assert f"/manual/types/verbal_abuse/#phrase-{step2['phrases'][0]['id']}" in [h["href"] for h in hits]
    assert "/manual/chapters/basic-response/" in [h["href"] for h in hits]
    assert_links_resolve(staff, hits)


def test_search_eviction_order_finds_the_steps_and_chapters(staff):
    hits = search(staff, "退去命令")
    hrefs = [h["href"] for h in hits]
    for code in ["long_detention", "verbal_abuse", "intimidation", "online_defamation"]:
        assert any(h.startswith(f"/manual/types/{code}/#step-") for h in hrefs), code
    assert "/manual/chapters/basic-response/" in hrefs
    assert "/manual/chapters/police/" in hrefs
    assert_links_resolve(staff, hits)


@pytest.mark.parametrize(("half", "full"), [("SNS", "ＳＮＳ"), ("30分", "３０分")])
def test_search_folds_full_width_and_half_width(staff, half, full):
    hits = search(staff, half)
    assert hits
    assert search(staff, full) == hits
    assert_links_resolve(staff, hits)


def test_search_sns_finds_both_spellings_in_the_content(staff):
    hrefs = [h["href"] for h in search(staff, "sns")]
    assert "/manual/types/online_defamation/" in hrefs  # the name has SNS
    assert "/manual/types/private_contact/" in hrefs  # the description has ＳＮＳ
    assert "/manual/chapters/basic-measures/" in hrefs


def test_search_thirty_minutes_finds_the_rule_and_the_step(staff, content):
    hits = search(staff, "３０分")
    hrefs = [h["href"] for h in hits]
    long_detention = next(t for t in content["types"] if t["code"] == "long_detention")
    assert f"/manual/types/long_detention/#step-{long_detention['steps'][1]['id']}" in hrefs
    assert "/manual/chapters/basic-response/" in hrefs


def test_search_snippets_show_the_words_found(staff, users):
    # Characters that NFKC widens (… is three dots) must not push the hit out of its snippet.
    from manual.models import Chapter
    from manual.services import publish_manual

    chapter = Chapter.objects.get(slug="closing")
    chapter.body = "……" * 40 + "ここに目印の言葉があります。" + "続きの文章。" * 20
    chapter.save()
    publish_manual(published_by=users["admin"], note="test")
    html = staff.get("/manual/search/", {"q": "目印"}).content.decode()
    assert "ここに目印の言葉があります" in html
    for query in ["録音", "退去命令", "30分"]:
        html = staff.get("/manual/search/", {"q": query}).content.decode()
        snippets = re.findall(r'<div class="small text-muted">(.*?)</div>', html, re.S)
        assert snippets
        for snippet in snippets:
            assert query in unescape(snippet), snippet


def test_search_with_no_hits_or_no_query(staff):
    response = staff.get("/manual/search/", {"q": "該当しない言葉ＸＹＺ"})
    assert "見つかりませんでした" in response.content.decode()
    assert search(staff, "") == []
    assert search(staff, "   ") == []


# -- print ------------------------------------------------------------------------------------

def test_print_view_has_a_table_of_contents_and_every_type_and_chapter(staff, content, placeholders):
    html = staff.get("/manual/print/").content.decode()
    toc = html[html.index('<nav aria-labelledby="toc-heading" id="toc">'):html.index("</nav>", html.index('id="toc"'))]
    assert "目次" in toc
    for t in content["types"]:
        assert f'<a href="#type-{t["code"]}">{escape(t["name"])}</a>' in toc
        assert f'id="type-{t["code"]}"' in html
        for step in t["steps"]:
            assert shown(step["text"], placeholders) in without_type_links(html)
            for phrase in step["phrases"]:
                assert f"▶ {shown(phrase['text'], placeholders)}" in html
    # In print, a 態様 named in a step links to its place in the document.
    assert '「<a href="#type-long_detention" class="type-link">長時間拘束型</a>」' in html
    for c in content["chapters"]:
        assert f'href="#chapter-{c["slug"]}"' in toc
        assert f'id="chapter-{c["slug"]}"' in html
    assert 'href="#scenes"' in toc and 'id="scenes"' in html
    # The chapters come in the manual's order, the 態様 before 「警察への通報」 (第４ ３).
    positions = [html.index(f'id="chapter-{c["slug"]}"') for c in content["chapters"]]
    assert positions == sorted(positions)
    assert html.index('id="chapter-types-overview"') < html.index('id="types"') < html.index('id="chapter-police"')


# -- during an incident -----------------------------------------------------------------------

def test_live_view_has_a_checklist_copy_buttons_the_call_script_and_the_timer(staff, content, placeholders):
    html = staff.get("/manual/types/verbal_abuse/live/").content.decode()
    verbal = next(t for t in content["types"] if t["code"] == "verbal_abuse")
    checkboxes = re.findall(r'<input type="checkbox" class="form-check-input step-check" value="(\d+)">', html)
    assert checkboxes == [str(s["id"]) for s in verbal["steps"]]
    phrases = [p for s in verbal["steps"] for p in s["phrases"]]
    for phrase in phrases:
        block = re.search(
            rf'<div class="phrase" id="phrase-{phrase["id"]}"><span class="flex-grow-1 phrase-text">(.*?)</span>\s*'
            r'<button type="button" class="btn btn-outline-primary copy-phrase"',
            html,
        )
        assert block, phrase
        assert block.group(1) == shown(phrase["text"], placeholders)
    call_script = re.findall(r'<section class="card mb-3" aria-labelledby="police-heading" id="police">(.*?)</section>', html, re.S)[0]
    lines = re.findall(r'<span class="flex-grow-1 phrase-text">(.*?)</span><button type="button" class="btn btn-outline-primary copy-phrase"', call_script)
    assert lines == [
        "奥州市役所市民課の窓口 花子です。□□□の事案が発生しました。",
        "相手方は男性（女性）○名、当方は職員○名が対応中です。",
        "○○時○○分から退去を求めておりますが、聞き入れていただくことができません。",
        "事案解決の支援をお願いします。",
    ]
    assert "奥州警察署" in call_script and 'href="tel:250110"' in call_script
    assert 'href="tel:110"' in call_script
    assert 'id="timer-start" data-limit-minutes="30"' in html
    assert 'role="timer"' in html
    assert "/static/js/live.js" in html


def test_the_call_script_keeps_its_blanks_for_a_user_without_a_section(users, content):
    from organization.models import User

    user = User.objects.create_user("nosection", password="x")
    client = Client()
    client.force_login(user)
    html = client.get("/manual/types/violence/live/").content.decode()
    assert "奥州市役所○○課の○○です。" in html


# -- the report form and the log-in wall --------------------------------------------------------

def test_the_report_form_embeds_the_playbook_of_every_type(staff, content, placeholders):
    html = staff.get("/reports/new/").content.decode()
    data = re.search(r'<script id="playbook-data" type="application/json">(.*?)</script>', html, re.S)
    assert data, "json_script playbook-data"
    playbooks = json.loads(data.group(1))
    assert [p["name"] for p in playbooks] == TYPE_NAMES
    for playbook, t in zip(playbooks, content["types"], strict=True):
        assert playbook["id"] == t["id"] and playbook["code"] == t["code"]
        assert playbook["steps"] == [fill(s["text"], placeholders) for s in t["steps"]]
        assert "{building_rules}" not in json.dumps(playbook, ensure_ascii=False)


@pytest.mark.parametrize(
    "url",
    ["/manual/", "/manual/search/?q=録音", "/manual/print/", "/manual/types/verbal_abuse/",
     "/manual/types/verbal_abuse/live/", "/manual/chapters/definition/"],
)
def test_anonymous_users_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("path", ["/manual/types/verbal_abuse/", "/manual/types/verbal_abuse/live/"])
def test_the_police_number_dials_with_ascii_digits_even_when_typed_full_width(staff, path):
    """The seed writes the station's number in full-width digits (２５－０１１０); a phone may not dial
    ``tel:２５－０１１０``."""
    assert CitySettings.load().police_phone == "２５－０１１０"

    hrefs = re.findall(r'href="(tel:[^"]*)"', staff.get(path).content.decode())

    assert "tel:250110" in hrefs and "tel:110" in hrefs
    assert all(re.fullmatch(r"tel:\+?[0-9]+", h) for h in hrefs), hrefs
