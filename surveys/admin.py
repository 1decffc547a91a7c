"""The 管理者's pages: open a survey for a period (with the default questions of the Oshu survey, or
none), edit its questions and their choices until the first answer comes in. Every save goes
through ``services`` (an audit event each). Answers and participations are not shown here."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from organization.audit import client_ip

from . import services
from .models import Choice, Participation, Question, Survey


def _answered(survey: Survey | None) -> bool:
    return bool(survey and survey.pk and Participation.objects.filter(survey=survey).exists())


class SurveyForm(forms.ModelForm):
    with_defaults = forms.BooleanField(
        label=_("既定の質問を入れる"), required=False, initial=True,
        help_text=_("奥州市の職員アンケートにならった質問（直近3年以内のカスハラの有無、頻度、内容（複数選択）、"
                    "自由記述）を入れて作成します。作成後に編集できます。"),
    )

    class Meta:
        model = Survey
        fields = ["title", "description", "opens_on", "closes_on"]


class EditableUntilAnswered:
    """An inline whose rows the 管理者 may add, change and delete only while nobody has answered
    (``_editable``): answers counted against a question must keep meaning what they meant."""

    def _editable(self, request, obj) -> bool:
        raise NotImplementedError

    def has_add_permission(self, request, obj=None) -> bool:
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._editable(request, obj)


class QuestionInline(EditableUntilAnswered, admin.TabularInline):
    model = Question
    fields = ["order", "key", "text", "help_text", "kind", "required"]
    extra = 0
    show_change_link = True

    def _editable(self, request, obj) -> bool:
        return request.user.is_admin and not _answered(obj)


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    form = SurveyForm
    list_display = ["title", "opens_on", "closes_on"]
    inlines = [QuestionInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        """Never deleted (its audit trail would go with it): a survey ends by its 回答締切日."""
        return False

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_fields(self, request, obj=None):
        fields = ["title", "description", "opens_on", "closes_on"]
        return fields if obj is not None else [*fields, "with_defaults"]

    def save_model(self, request, obj: Survey, form, change) -> None:
        if change:
            services.save_survey(actor=request.user, survey=obj, changed=form.changed_data, ip_address=client_ip(request))
            return
        created = services.create_survey(
            actor=request.user, title=obj.title, description=obj.description, opens_on=obj.opens_on,
            closes_on=obj.closes_on, with_defaults=form.cleaned_data.get("with_defaults", False),
            ip_address=client_ip(request),
        )
        obj.pk, obj.created_by, obj.created_at = created.pk, created.created_by, created.created_at
        obj._state.adding, obj._state.db = False, created._state.db

    def save_formset(self, request, form, formset, change) -> None:
        services.save_questions(actor=request.user, survey=form.instance, formset=formset,
                                ip_address=client_ip(request))


class ChoiceInline(EditableUntilAnswered, admin.TabularInline):
    model = Choice
    fields = ["order", "label"]
    extra = 0

    def _editable(self, request, obj) -> bool:
        return request.user.is_admin and not (obj is not None and _answered(obj.survey))


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "survey", "kind", "order"]
    list_filter = ["survey"]
    fields = ["survey", "order", "key", "text", "help_text", "kind", "required"]
    inlines = [ChoiceInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "survey":  # questions are added only to surveys nobody has answered
            kwargs["queryset"] = Survey.objects.exclude(participations__isnull=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not (obj is not None and _answered(obj.survey))

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj is not None and _answered(obj.survey))

    def save_model(self, request, obj: Question, form, change) -> None:
        services.save_question(actor=request.user, question=obj, ip_address=client_ip(request))

    def save_formset(self, request, form, formset, change) -> None:
        services.save_questions(actor=request.user, survey=form.instance.survey, formset=formset,
                                ip_address=client_ip(request))
