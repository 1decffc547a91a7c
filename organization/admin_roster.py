"""The admin's 職員名簿 pages: upload → preview (what would change, refused rows) → apply → result.

The generic admin lists the imports read-only (nobody adds, changes or deletes one through it). The
uploaded bytes wait on the ``RosterImport`` row in state 「確認中」 between the preview and
「この内容で反映する」, so the file is chosen once; the preview's plan fingerprint travels with the
form, and a plan that changed meanwhile (someone edited the organisation) is shown again instead of
being applied.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import roster
from .models import RosterImport

#: Changes listed per kind on a page (the counts above say how many there are in all).
SHOWN_PER_KIND = 500


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("職員名簿のファイル"),
        help_text=gettext_lazy("人事担当課が出力した CSV（UTF-8 または Shift_JIS）か Excel（XLSX）。"
                               "1行目が見出し（職員番号・氏名・部コード・部名・課コード・課名 …）です。"),
    )
    partial = forms.BooleanField(
        label=gettext_lazy("部分更新"), required=False,
        help_text=gettext_lazy("ファイルにある職員だけを更新します。ファイルにない職員を退職扱いにしません"
                               "（「在籍」が退職の行だけ利用停止にします）。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.KASUHARA_MAX_UPLOAD_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(_("ファイルが大きすぎます（%(mb)s MB まで）。") % {"mb": settings.KASUHARA_MAX_UPLOAD_MB})
        data = upload.read()
        try:
            self.parsed = roster.read_roster(data, upload.name)
        except roster.RosterError as error:
            raise forms.ValidationError(str(error)) from None
        self.data_bytes = data
        return upload


@admin.register(RosterImport)
class RosterImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "state", "filename", "partial", "actor", "summary", "error_count", "open_link"]
    list_filter = ["state", "partial"]
    list_display_links = None
    change_list_template = "admin/organization/rosterimport/change_list.html"

    # Read-only through the generic admin: the import pages below are the only way in.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=gettext_lazy("変更"))
    def summary(self, obj: RosterImport) -> str:
        if not obj.counts:
            return _("変更なし")
        return "、".join(f"{roster.kind_name(kind)} {count}" for kind, count in obj.counts.items())

    @admin.display(description=gettext_lazy("取り込めなかった行"))
    def error_count(self, obj: RosterImport) -> int:
        return len(obj.errors)

    @admin.display(description=gettext_lazy("内容"))
    def open_link(self, obj: RosterImport) -> str:
        view = "preview" if obj.state == RosterImport.State.PREVIEW else "result"
        return format_html('<a href="{}">{}</a>', reverse(f"admin:organization_rosterimport_{view}", args=[obj.pk]),
                           _("確認して反映する") if view == "preview" else _("結果を見る"))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.upload_view), name="organization_rosterimport_upload"),
            path("<int:pk>/preview/", wrap(self.preview_view), name="organization_rosterimport_preview"),
            path("<int:pk>/result/", wrap(self.result_view), name="organization_rosterimport_result"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = get_object_or_404(RosterImport, pk=object_id)
        view = "preview" if record.state == RosterImport.State.PREVIEW else "result"
        return HttpResponseRedirect(reverse(f"admin:organization_rosterimport_{view}", args=[record.pk]))

    # -- the pages ----------------------------------------------------------------------------

    def _may_import(self, request: HttpRequest) -> None:
        if not request.user.has_perm("organization.add_rosterimport"):
            raise PermissionDenied

    def _context(self, request: HttpRequest, title: str, **extra) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": title,
                "changelist_url": reverse("admin:organization_rosterimport_changelist"), **extra}

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        self._may_import(request)
        form = RosterUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            plan = roster.plan_import(form.parsed, partial=form.cleaned_data["partial"])
            record = RosterImport(actor=request.user, filename=upload.name[:255], content=form.data_bytes,
                                  state=RosterImport.State.PREVIEW)
            roster.fill_record(record, plan)
            record.save()
            return HttpResponseRedirect(reverse("admin:organization_rosterimport_preview", args=[record.pk]))
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/organization/rosterimport/upload.html",
                                self._context(request, _("職員名簿を取り込む"), form=form,
                                              columns=roster.COLUMNS, required=roster.REQUIRED_COLUMNS,
                                              roles=roster.ROLE_FLAGS,
                                              chief_titles=settings.KASUHARA_ROSTER_CHIEF_TITLES,
                                              director_titles=settings.KASUHARA_ROSTER_DIRECTOR_TITLES),
                                status=status)

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        self._may_import(request)
        record = get_object_or_404(RosterImport, pk=pk)
        if record.state != RosterImport.State.PREVIEW:
            return HttpResponseRedirect(reverse("admin:organization_rosterimport_result", args=[record.pk]))
        data = bytes(record.content)
        stale = False
        if request.method == "POST":
            try:
                applied = roster.apply_import(
                    data=data, actor=request.user, filename=record.filename, partial=record.partial,
                    expected_fingerprint=request.POST.get("fingerprint", ""), preview=record,
                )
            except roster.StalePlan as changed:
                plan, stale = changed.plan, True
            except roster.RosterError as error:
                messages.error(request, str(error))
                return HttpResponseRedirect(reverse("admin:organization_rosterimport_changelist"))
            else:
                messages.success(request, _("職員名簿を反映しました。"))
                return HttpResponseRedirect(reverse("admin:organization_rosterimport_result", args=[applied.pk]))
        else:
            try:
                plan = roster.plan_import(roster.read_roster(data, record.filename), partial=record.partial)
            except roster.RosterError as error:  # cannot happen for bytes read once; said plainly if it does
                raise Http404(str(error)) from None
        if plan.fingerprint != record.fingerprint:
            roster.fill_record(record, plan)
            record.save(update_fields=["sha256", "encoding", "partial", "fingerprint", "counts", "changes", "errors",
                                       "warnings"])
        return TemplateResponse(request, "admin/organization/rosterimport/plan.html", self._context(
            request, _("職員名簿の取込み：反映前の確認"), record=record, plan=plan, stale=stale, applied=False,
            kinds=self._kinds([c.as_dict() for c in plan.changes]),
            errors=[e.as_dict() for e in plan.errors], warnings=[w.as_dict() for w in plan.warnings],
        ), status=409 if stale else 200)

    def result_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        record = get_object_or_404(RosterImport, pk=pk)
        if record.state == RosterImport.State.PREVIEW:
            return HttpResponseRedirect(reverse("admin:organization_rosterimport_preview", args=[record.pk]))
        return TemplateResponse(request, "admin/organization/rosterimport/plan.html", self._context(
            request, _("職員名簿の取込み：反映結果"), record=record, plan=None, applied=True,
            kinds=self._kinds(record.changes), errors=record.errors, warnings=record.warnings,
        ))

    @staticmethod
    def _kinds(changes: list[dict]) -> list[dict]:
        """Per kind of change (in the preview's order): its name, count and the first rows."""
        grouped: dict[str, list[dict]] = {}
        for change in changes:
            grouped.setdefault(change["kind"], []).append(change)
        return [
            {"kind": kind, "name": str(name), "count": len(grouped[kind]), "rows": grouped[kind][:SHOWN_PER_KIND],
             "more": max(0, len(grouped[kind]) - SHOWN_PER_KIND)}
            for kind, name in roster.KINDS.items() if kind in grouped
        ]
