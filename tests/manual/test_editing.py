"""Editing the manual in the real Django admin: revisions, restore, draft and publishing.

An admin edits a ▶ phrase through its 対応例's change form (the phrases inline), exactly as the
form is rendered; every save is a django-reversion revision with the user and a comment; an
earlier version comes back through the admin's history/revert view. Staff keep reading the
published edition until the admin adds a new 公開版; the admin can preview the draft first.
The city's settings fill the blanks at once, without publishing.
"""

from __future__ import annotations

import pytest
from django.test import Client
from reversion.models import Version

from manual.models import CitySettings, ManualEdition, ResponseStep, SamplePhrase
from tests.manual.admin_form import form_data

pytestmark = pytest.mark.django_db

NEW_PHRASE = "「大声を出すのはおやめください。このままでは対応を続けられません。」"


@pytest.fixture
def admin_client(client_as) -> Client:  # replaces pytest-django's own admin_client on purpose
    return client_as("admin")


@pytest.fixture
def step() -> ResponseStep:
    """暴言型 ①, with its one ▶ phrase."""
    return ResponseStep.objects.get(harassment_type__code="verbal_abuse", number=1)


@pytest.fixture
def phrase(step) -> SamplePhrase:
    return step.phrases.get()


def change_url(step: ResponseStep) -> str:
    return f"/admin/manual/responsestep/{step.pk}/change/"


def post_rendered_form(client: Client, url: str, changes: dict[str, str], form_id: str | None = None):
    """GET the admin form at ``url`` and POST it back as rendered, with ``changes`` applied."""
    page = client.get(url)
    assert page.status_code == 200, url
    data = form_data(page.content.decode(), form_id)
    data.update(changes)
    data["_save"] = "保存"
    response = client.post(url, data)
    errors = response.context and [response.context.get("errors"), response.context.get("inline_admin_formsets")]
    assert response.status_code == 302, errors
    return response


def edit_phrase(client: Client, step: ResponseStep, phrase: SamplePhrase, text: str) -> None:
    data = form_data(client.get(change_url(step)).content.decode(), "responsestep_form")
    prefix = next(name.removesuffix("-id") for name, value in data.items()
                  if name.startswith("phrases-") and name.endswith("-id") and value == str(phrase.pk))
    post_rendered_form(client, change_url(step), {f"{prefix}-text": text}, "responsestep_form")


def publish(client: Client, note: str) -> None:
    response = client.post("/admin/manual/manualedition/add/", {"note": note, "_save": "保存"})
    assert response.status_code == 302, response.content.decode()[:2000]


# -- revisions -------------------------------------------------------------------------------

def test_the_admin_change_form_shows_the_phrases_inline(admin_client, step, phrase):
    page = admin_client.get(change_url(step))
    assert page.status_code == 200
    data = form_data(page.content.decode(), "responsestep_form")
    assert data["phrases-TOTAL_FORMS"] == "1"
    assert data["phrases-0-text"] == phrase.text
    assert data["text"] == step.text


def test_editing_a_phrase_keeps_a_revision_with_the_user_and_a_comment(admin_client, users, step, phrase):
    edit_phrase(admin_client, step, phrase, NEW_PHRASE)

    phrase.refresh_from_db()
    assert phrase.text == NEW_PHRASE
    latest = Version.objects.get_for_object(phrase).first()  # newest first
    assert latest.field_dict["text"] == NEW_PHRASE
    assert latest.revision.user == users["admin"]
    assert "例文" in latest.revision.get_comment()
    # The step's own history lists the edit.
    history = admin_client.get(f"/admin/manual/responsestep/{step.pk}/history/")
    assert history.status_code == 200
    assert users["admin"].username in history.content.decode() or str(users["admin"]) in history.content.decode()


def test_restoring_an_earlier_version_in_the_admin_brings_back_the_old_text(admin_client, step, phrase):
    original = phrase.text
    edit_phrase(admin_client, step, phrase, NEW_PHRASE)
    versions = list(Version.objects.get_for_object(step))  # newest first
    assert len(versions) == 2, "the text before the first edit is kept as a revision too"
    earliest = versions[-1]
    assert earliest.revision.user is None  # the customer's text, loaded by the migration

    history = admin_client.get(f"/admin/manual/responsestep/{step.pk}/history/").content.decode()
    revert_url = f"/admin/manual/responsestep/{step.pk}/history/{earliest.pk}/"
    assert revert_url in history

    # The revert view shows the earlier text in the form; saving it restores it.
    revert_page = admin_client.get(revert_url).content.decode()
    assert form_data(revert_page, "responsestep_form")["phrases-0-text"] == original
    phrase.refresh_from_db()
    assert phrase.text == NEW_PHRASE, "looking at a version changes nothing"
    post_rendered_form(admin_client, revert_url, {}, "responsestep_form")

    phrase.refresh_from_db()
    assert phrase.text == original
    assert Version.objects.get_for_object(step).count() == 3


# -- draft and publishing ---------------------------------------------------------------------

def test_a_draft_edit_is_seen_by_staff_only_after_publishing(admin_client, staff_client, users, phrase, step):
    original = phrase.text
    edit_phrase(admin_client, step, phrase, NEW_PHRASE)

    for url in ["/manual/types/verbal_abuse/", "/manual/types/verbal_abuse/live/"]:
        page = staff_client.get(url).content.decode()
        assert original in page and NEW_PHRASE not in page, url
        # Staff asking for the draft still get the published text.
        page = staff_client.get(url + "?draft=1").content.decode()
        assert original in page and NEW_PHRASE not in page, url
        assert "下書きのプレビュー" not in page

    # The admin previews the draft before publishing.
    preview = admin_client.get("/manual/types/verbal_abuse/?draft=1").content.decode()
    assert NEW_PHRASE in preview and original not in preview
    assert "下書きのプレビューです" in preview
    assert original in admin_client.get("/manual/types/verbal_abuse/").content.decode()

    # The 公開版 list tells the admin something waits for publishing.
    changelist = admin_client.get("/admin/manual/manualedition/").content.decode()
    assert "公開されていない変更があります" in changelist
    assert '<a href="/manual/?draft=1">公開前の内容を確認する</a>' in changelist

    publish(admin_client, "暴言型の例文を修正")

    edition = ManualEdition.objects.latest()
    assert ManualEdition.objects.count() == 2
    assert edition.published_by == users["admin"]
    assert edition.note == "暴言型の例文を修正"
    for url in ["/manual/types/verbal_abuse/", "/manual/types/verbal_abuse/live/", "/manual/print/"]:
        page = staff_client.get(url).content.decode()
        assert NEW_PHRASE in page and original not in page, url
    assert "公開されていない変更があります" not in admin_client.get("/admin/manual/manualedition/").content.decode()


def test_staff_cannot_reach_the_admin(staff_client, step):
    response = staff_client.get(change_url(step))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert staff_client.post("/admin/manual/manualedition/add/", {"note": "x"}).status_code == 302
    assert ManualEdition.objects.count() == 1


# -- the city's settings ----------------------------------------------------------------------

def test_changing_the_city_settings_shows_at_once_without_publishing(admin_client, staff_client):
    settings_row = CitySettings.load()
    post_rendered_form(
        admin_client,
        f"/admin/manual/citysettings/{settings_row.pk}/change/",
        {"city_name": "港区", "police_station": "三田警察署", "police_phone": "03-3454-0110"},
        "citysettings_form",
    )
    assert ManualEdition.objects.count() == 1

    live = staff_client.get("/manual/types/verbal_abuse/live/").content.decode()
    assert "港区役所市民課の窓口 花子です。□□□の事案が発生しました。" in live
    assert "三田警察署" in live and "03-3454-0110" in live
    assert "奥州警察署" not in live and "奥州市役所" not in live

    detail = staff_client.get("/manual/types/verbal_abuse/").content.decode()
    assert "三田警察署" in detail and "奥州警察署" not in detail

    home = staff_client.get("/manual/").content.decode()
    assert "港区カスタマーハラスメント対応マニュアル" in home
    police = staff_client.get("/manual/chapters/police/").content.decode()
    assert "三田警察署" in police and "港区役所○○課の○○です。" in police
    # The settings are revised like the content.
    assert Version.objects.get_for_object(settings_row).count() == 2
