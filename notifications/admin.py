"""The admin's side of notices: the rules (who hears of what, after how many days), and the outbox
(what was delivered, what failed and why, and 再送信 for the failed)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .kinds import SPECS, Audience
from .models import Notice, NoticeRule, State
from .render import subject


class NoticeRuleForm(forms.ModelForm):
    audiences = forms.MultipleChoiceField(label=_("送り先"), required=False, widget=forms.CheckboxSelectMultiple)
    type_codes = forms.MultipleChoiceField(label=_("至急とする態様"), required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = NoticeRule
        fields = ["enabled", "audiences", "days", "type_codes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        spec = SPECS[self.instance.kind]
        self.fields["audiences"].choices = [(a, Audience(a).label) for a in spec.allowed]
        if "days" in self.fields:
            self.fields["days"].label = spec.days_label
            self.fields["days"].required = True
        if "type_codes" in self.fields:
            from manual.models import HarassmentType

            self.fields["type_codes"].choices = list(HarassmentType.objects.values_list("code", "name"))

    def clean_days(self):
        days = self.cleaned_data.get("days")
        if days is not None and days < 1:
            raise forms.ValidationError(_("1以上の日数を入れてください。"))
        return days


@admin.register(NoticeRule)
class NoticeRuleAdmin(admin.ModelAdmin):
    form = NoticeRuleForm
    list_display = ["__str__", "enabled", "recipients", "days"]
    list_editable = ["enabled"]

    @admin.display(description=_("送り先"))
    def recipients(self, rule: NoticeRule) -> str:
        return "、".join(str(Audience(a).label) for a in rule.audiences if a in Audience.values) or "—"

    def get_fields(self, request, obj=None):
        """Only what the kind has: days where it waits, the 態様 for the urgent kind."""
        fields = ["enabled", "audiences"]
        if obj is not None and SPECS[obj.kind].days is not None:
            fields.append("days")
        if obj is not None and obj.kind == "report_urgent":
            fields.append("type_codes")
        return fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "recipient", "urgent", "state", "attempts", "sent_at", "last_error_short"]
    list_filter = ["state", "kind", "urgent"]
    search_fields = ["recipient__username", "recipient__display_name", "key"]
    date_hierarchy = "created_at"
    actions = ["retry"]
    readonly_fields = [f.name for f in Notice._meta.fields] + ["text"]

    @admin.display(description=_("件名"))
    def text(self, notice: Notice) -> str:
        return subject(notice)

    @admin.display(description=_("最後のエラー"))
    def last_error_short(self, notice: Notice) -> str:
        return notice.last_error[:80]

    @admin.action(description=_("失敗したお知らせを再送信する"))
    def retry(self, request, queryset):
        chosen = services.retry_failed(ids=list(queryset.filter(state=State.FAILED).values_list("pk", flat=True)))
        self.message_user(request, _("%(n)d 件を再送信の待ち行列に入れました。") % {"n": len(chosen)}, messages.SUCCESS)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
