"""Content is shown as text, never as markup: a ``<script>`` or an ``<img onerror>`` typed into a
chapter, a step or a phrase is escaped on every page that shows it, while the light Markdown the
chapters use (### heading, - list, **bold**) still renders."""

from __future__ import annotations

import pytest
from django.test import Client

from manual.models import Chapter, HarassmentType, ResponseStep
from manual.rendering import render_markdown
from manual.services import publish_manual

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
SCRIPT_AS_TEXT = "&lt;script&gt;alert(1)&lt;/script&gt;"
IMG_AS_TEXT = "&lt;img src=x onerror=alert(2)&gt;"
JS_LINK = "[ここを押す](javascript:alert(3))"


@pytest.fixture
def hostile_manual(users):
    """Hostile markup in a chapter, a 態様's description, a step and a phrase, then published."""
    chapter = Chapter.objects.get(slug="cautions")
    chapter.body += f"\n\n注意 {SCRIPT} {IMG}\n\n{JS_LINK}\n\n{SCRIPT}\n"
    chapter.save()
    harassment_type = HarassmentType.objects.get(code="verbal_abuse")
    harassment_type.description += f" {SCRIPT}"
    harassment_type.save()
    step = ResponseStep.objects.get(harassment_type=harassment_type, number=1)
    step.text += f" 注意 {SCRIPT}"
    step.save()
    phrase = step.phrases.get()
    phrase.text = f"「注意 {IMG} {SCRIPT}」"
    phrase.save()
    publish_manual(published_by=users["admin"], note="test")
    client = Client()
    client.force_login(users["staff"])
    return client


def assert_shown_as_text(html: str, *, script: bool = True, img: bool = True) -> None:
    assert "<script>alert" not in html
    assert "<img" not in html
    assert "onerror=alert(2)>" not in html.replace(IMG_AS_TEXT, "")
    assert 'href="javascript:' not in html
    if script:
        assert SCRIPT_AS_TEXT in html
    if img:
        assert IMG_AS_TEXT in html


@pytest.mark.parametrize(
    ("url", "script", "img"),
    [
        ("/manual/chapters/cautions/", True, True),
        ("/manual/types/verbal_abuse/", True, True),
        ("/manual/types/verbal_abuse/live/", True, True),
        ("/manual/print/", True, True),
        ("/manual/", True, False),  # the card shows the description only
        ("/manual/search/?q=注意", True, True),
    ],
)
def test_markup_in_content_is_shown_as_text(hostile_manual, url, script, img):
    response = hostile_manual.get(url)
    assert response.status_code == 200
    assert_shown_as_text(response.content.decode(), script=script, img=img)


def test_search_results_show_markup_of_each_kind_of_content_as_text(hostile_manual):
    html = hostile_manual.get("/manual/search/", {"q": "alert"}).content.decode()
    assert_shown_as_text(html)
    # The chapter, the description, the step and the phrase are all found.
    for kind in ["章", "態様", "対応例", "例文"]:
        assert f'<span class="badge text-bg-secondary">{kind}</span>' in html


def test_a_query_with_markup_is_shown_as_text(hostile_manual):
    html = hostile_manual.get("/manual/search/", {"q": SCRIPT}).content.decode()
    assert_shown_as_text(html, img=False)


def test_the_report_form_embeds_the_playbooks_without_markup(hostile_manual):
    html = hostile_manual.get("/reports/new/").content.decode()
    assert "<script>alert" not in html
    assert "\\u003Cscript\\u003Ealert(1)" in html  # json_script escapes < and >


def test_light_markdown_renders_to_html(users):
    chapter = Chapter.objects.get(slug="cautions")
    chapter.body = "### 小見出し\n\n- 項目一\n- 項目二\n\n**大事なこと**です。"
    chapter.save()
    publish_manual(published_by=users["admin"], note="test")
    client = Client()
    client.force_login(users["staff"])
    for url in ["/manual/chapters/cautions/", "/manual/print/"]:
        html = client.get(url).content.decode()
        assert "<h3>小見出し</h3>" in html, url
        assert "<ul>\n<li>項目一</li>\n<li>項目二</li>\n</ul>" in html, url
        assert "<strong>大事なこと</strong>です。" in html, url


def test_render_markdown_keeps_no_tag_or_attribute_from_the_text():
    html = str(render_markdown(f"{SCRIPT}\n\n{IMG}\n\n{JS_LINK}\n\n<a href='x' onclick='y'>a</a> **b**", {}))
    assert "<script" not in html and "<img" not in html and "<a" not in html
    assert 'href="javascript:' not in html
    assert SCRIPT_AS_TEXT in html and IMG_AS_TEXT in html
    assert "<strong>b</strong>" in html
