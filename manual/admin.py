"""Editing the manual in the Django admin.

Every save is a django-reversion revision (history and restore on each object's page). Saving
changes only the working draft; staff see it once an admin publishes a new 公開版 (ManualEdition).
"""

from __future__ import annotations

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import selectors, services
from .models import (
    CallScriptLine,
    Chapter,
    CitySettings,
    Contact,
    HarassmentType,
    ManualEdition,
    ResponseStep,
    SamplePhrase,
    SceneExample,
)


class DraftNoticeMixin:
    """Reminds the editor that saved changes wait for publishing."""

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        super().message_user(request, message, level, *args, **kwargs)
        if level == messages.SUCCESS:
            super().message_user(
                request,
                _("変更は下書きとして保存されました。職員に見せるには「公開版」から公開してください。"),
                messages.WARNING,
            )


class InitialRevisionMixin:
    """Keeps the state before the first admin edit as a revision, so that edit can be undone.

    The seed content comes in through a data migration, outside any revision: without this, the
    first edit of a loaded row would be its oldest version and 「復元」 could not bring back the
    customer's original text.
    """

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if (
                obj is not None
                and self.has_change_permission(request, obj)
                and not Version.objects.get_for_object(obj).exists()
            ):
                with reversion.create_revision():
                    reversion.add_to_revision(obj)
                    reversion.set_comment(_("編集前の内容（最初の記録）"))
        return super().change_view(request, object_id, form_url, extra_context)


class ResponseStepInline(admin.StackedInline):
    model = ResponseStep
    extra = 0
    fields = ["number", "text", "phrase_link"]
    readonly_fields = ["phrase_link"]
    ordering = ["number"]

    @admin.display(description=_("例文（▶）"))
    def phrase_link(self, obj: ResponseStep) -> str:
        if not obj.pk:
            return "-"
        url = reverse("admin:manual_responsestep_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("例文を編集（%(n)s件）") % {"n": obj.phrases.count()})


@admin.register(HarassmentType)
class HarassmentTypeAdmin(InitialRevisionMixin, DraftNoticeMixin, VersionAdmin):
    list_display = ["number", "name", "code"]
    list_display_links = ["name"]
    search_fields = ["name", "description", "steps__text", "steps__phrases__text"]
    filter_horizontal = ["see_also"]
    inlines = [ResponseStepInline]


class SamplePhraseInline(admin.TabularInline):
    model = SamplePhrase
    extra = 0
    fields = ["order", "text"]
    ordering = ["order"]


@admin.register(ResponseStep)
class ResponseStepAdmin(InitialRevisionMixin, DraftNoticeMixin, VersionAdmin):
    list_display = ["harassment_type", "number", "short_text"]
    list_filter = ["harassment_type"]
    search_fields = ["text", "phrases__text"]
    inlines = [SamplePhraseInline]

    @admin.display(description=_("対応例"))
    def short_text(self, obj: ResponseStep) -> str:
        return obj.text[:60]


@admin.register(Chapter)
class ChapterAdmin(InitialRevisionMixin, DraftNoticeMixin, VersionAdmin):
    list_display = ["order", "number", "title", "source"]
    list_display_links = ["title"]
    list_filter = ["source"]
    search_fields = ["title", "body"]


@admin.register(SceneExample)
class SceneExampleAdmin(InitialRevisionMixin, DraftNoticeMixin, VersionAdmin):
    list_display = ["order", "scene", "heading"]
    list_display_links = ["heading"]
    list_filter = ["scene"]
    filter_horizontal = ["harassment_types"]


@admin.register(CallScriptLine)
class CallScriptLineAdmin(InitialRevisionMixin, DraftNoticeMixin, VersionAdmin):
    list_display = ["order", "text"]
    list_display_links = ["text"]


@admin.register(Contact)
class ContactAdmin(InitialRevisionMixin, VersionAdmin):
    list_display = ["order", "name", "purpose", "phone"]
    list_display_links = ["name"]


@admin.register(CitySettings)
class CitySettingsAdmin(InitialRevisionMixin, VersionAdmin):
    list_display = ["city_name", "police_station", "police_phone", "desk_name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not CitySettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ManualEdition)
class ManualEditionAdmin(admin.ModelAdmin):
    """公開版: adding one publishes the current draft; editions themselves never change."""

    list_display = ["__str__", "published_at", "published_by", "note", "is_current"]
    fields = ["note"]

    @admin.display(description=_("職員に表示中"), boolean=True)
    def is_current(self, obj: ManualEdition) -> bool:
        return obj.pk == selectors.latest_edition_id()

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        latest = selectors.manual_content()
        pending = services.build_snapshot() != latest
        if pending:
            self.message_user(
                request,
                format_html(
                    '{} <a href="{}?draft=1">{}</a>',
                    _("公開されていない変更があります。「公開版を追加」で公開できます。"),
                    reverse("manual:home"),
                    _("公開前の内容を確認する"),
                ),
                messages.WARNING,
            )
        return super().changelist_view(request, extra_context=extra_context)

    def save_model(self, request, obj: ManualEdition, form, change) -> None:
        edition = services.publish_manual(published_by=request.user, note=obj.note)
        obj.pk = edition.pk
        obj.published_at = edition.published_at
        obj.content = edition.content
