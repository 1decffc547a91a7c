"""Who may see and change which report: the one place that decides.

Views, selectors and templates ask here and nowhere else. A report a user may not see is
answered with 404, never 403, so an outsider learns nothing about its existence.

- 職員: their own reports (drafts included), and submitted reports naming them as 対応職員.
- 所属長: the submitted reports of their 課 (as holder or 代理, and of the abolished 課 whose work
  their 課 took over: ``User.chief_sections``).
- 部長: the submitted reports of their 部 (likewise: ``User.director_sections``).
- 相談窓口: every submitted report.
- 総務部長: the reports a 部長 raised to 特に困難 (the cross-department review).
- 対策委員・委員長: a case while it is on the agenda of a meeting they are invited to, and afterwards
  the cases decided at a meeting they attended (``committee.policies.committee_cases_q``).
- Whoever the product told to look at a case (a notice linking to it: 至急 to the 総務課長 and the
  委員長, the escalation of an unaccepted report to the 総務課長 and 総務部長, or whoever the
  admin's rules name) reads that case: a notice never leads its recipient to a 404.
- 管理者 (admin) reads nothing by being admin; only through one of the roles above.
Only the reporter changes a report, and only while it is editable (下書き, 差戻し).
A discarded draft (削除済み) is read by nobody, its reporter included: every page answers 404, no
list or count includes it; its events stay for the audit.

Who may make which move of the lifecycle is decided by the functions named in
``lifecycle.TRANSITIONS`` (``can_submit``, ``can_discard``, ``can_confirm``, ``can_return``,
``can_triage``, ``can_decide``); the case's internal notes and the 所属長's comment have rules of their own below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from notifications.selectors import reports_notified, was_notified_of

from .lifecycle import UNSUBMITTED, Status
from .models import Attachment, IncidentReport

if TYPE_CHECKING:
    from organization.models import User


def _visible_q(user: User) -> Q:
    """The rules above as one condition on the report row itself: no join, so no row repeats and
    the database can walk an index in list order (a join to 対応職員 made it pair every report with
    every staff link before filtering). The 対応職員 and 部 rules are ``IN (subquery)``, each
    computed once per query."""
    own = Q(reporter=user) & ~Q(status=Status.DISCARDED)
    submitted = ~Q(status__in=UNSUBMITTED)
    if user.is_desk:
        # Every submitted report: the 対応職員, 課 and 部 rules below all fall inside it.
        return own | submitted
    staff_links = IncidentReport.staff_members.through.objects.filter(user_id=user.pk)
    scope = Q(pk__in=staff_links.values("incidentreport_id"))
    if user.chief_sections:
        scope |= Q(section_id__in=user.chief_sections)
    if user.director_sections:
        scope |= Q(section_id__in=user.director_sections)
    if user.is_ga_director:
        scope |= Q(cross_review=True)
    if user.is_committee_member or user.is_committee_chair:
        from committee.policies import committee_cases_q  # committee imports incidents

        scope |= Q(pk__in=IncidentReport.objects.filter(committee_cases_q(user)).values("pk"))
    scope |= Q(pk__in=reports_notified(user))
    return own | (submitted & scope)


def visible_reports(user: User) -> QuerySet[IncidentReport]:
    """Every report the user may read (each once: the condition joins nothing)."""
    if not user.is_authenticated or not user.is_active:
        return IncidentReport.objects.none()
    return IncidentReport.objects.filter(_visible_q(user))


def can_use_queue(user: User) -> bool:
    """The queue (/queue/): the 相談窓口, the 所属長, the 部長 and the 総務部長; anyone else gets 404."""
    return bool(
        user.is_authenticated and user.is_active
        and (user.is_desk or user.acts_as_section_chief or user.acts_as_director or user.is_ga_director)
    )


def can_export_queue(user: User) -> bool:
    """The queue's export (/queue/export/): whoever uses the queue, over their queue's cases only."""
    return can_use_queue(user)


def can_export_personal_data(user: User) -> bool:
    """The 相手方 (氏名・性別・年代・連絡先) and 報告者 columns of an export: the 相談窓口 only. A case
    page shows them one case at a time to whoever reads the case (and records the view); a file of
    every case's 相手方 leaves the product, so only the 相談窓口, which keeps the 相手方 register, may
    take one — never the 所属長, 部長 or 総務部長, whose exports are redacted."""
    return _active(user) and user.is_desk


def can_export_ratings(user: User) -> bool:
    """継続性・悪質性・至急 columns: the 相談窓口's own ratings (as ``can_see_internal``)."""
    return _active(user) and user.is_desk


def queue_reports(user: User) -> QuerySet[IncidentReport]:
    """The cases of the user's queue: what they may read, never a draft, narrowed to what their role
    looks after (the 相談窓口 every case, the 所属長 their 課, the 部長 their 部, the 総務部長 the cases
    under cross review)."""
    if not can_use_queue(user):
        return IncidentReport.objects.none()
    if user.is_desk:
        # The 相談窓口 reads every submitted report: the condition is the status alone, which an
        # index on (status, difficulty) answers for the queue's counts without reading the table.
        return IncidentReport.objects.exclude(status__in=UNSUBMITTED)
    scope = Q(pk__in=[])
    if user.chief_sections or user.director_sections:
        scope |= Q(section_id__in=user.chief_sections | user.director_sections)
    if user.is_ga_director:
        scope |= Q(cross_review=True)
    return visible_reports(user).exclude(status__in=UNSUBMITTED).filter(scope)


def can_view_report(user: User, report: IncidentReport) -> bool:
    if not user.is_authenticated or not user.is_active or report.status == Status.DISCARDED:
        return False
    if report.reporter_id == user.pk:
        return True
    if report.status == Status.DRAFT:
        return False
    if user.is_desk:
        return True
    if report.section_id in user.chief_sections or report.section_id in user.director_sections:
        return True
    if user.is_ga_director and report.cross_review:
        return True
    if user.is_committee_member or user.is_committee_chair:
        from committee.policies import sees_case_as_member  # committee imports incidents

        if sees_case_as_member(user, report):
            return True
    return report.staff_members.filter(pk=user.pk).exists() or was_notified_of(user, report.pk)


# -- the lifecycle's moves ---------------------------------------------------------------------

def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def heads_section_of(user: User, report: IncidentReport) -> bool:
    """The report's 課 is one the user heads today (held, 代理, or an abolished 課 that ended there)."""
    return _active(user) and report.section_id in user.chief_sections


def heads_department_of(user: User, report: IncidentReport) -> bool:
    return _active(user) and report.section_id in user.director_sections


def can_submit(user: User, report: IncidentReport) -> bool:
    return can_edit_report(user, report)


def can_discard(user: User, report: IncidentReport) -> bool:
    """下書きの削除: its reporter, while it is a draft (it has reached nobody yet). A report once
    submitted stays on record, 差戻し included."""
    return can_open_editor(user, report) and report.status == Status.DRAFT


def can_confirm(user: User, report: IncidentReport) -> bool:
    """所属長の確認: the head of the reporter's 課, where the city uses that step."""
    from .lifecycle import chief_confirmation_on

    return chief_confirmation_on() and heads_section_of(user, report)


def can_return(user: User, report: IncidentReport) -> bool:
    """差戻し: the 相談窓口 at any time before it works on the case; the 所属長 before confirming."""
    if _active(user) and user.is_desk:
        return True
    from .lifecycle import chief_confirmation_on

    return report.status == Status.SUBMITTED and chief_confirmation_on() and heads_section_of(user, report)


def can_triage(user: User, report: IncidentReport) -> bool:
    """The 相談窓口's work on a case: accept, assign, rate, note, refer, share, close, reopen."""
    return _active(user) and user.is_desk


def can_hold(user: User, report: IncidentReport) -> bool:
    """訴訟・警察対応中: the 相談窓口 stops (or lets again) the 保存期間's removal of a closed case's data."""
    return _active(user) and user.is_desk and report.status not in UNSUBMITTED


def can_see_retention_runs(user: User) -> bool:
    """The record of the 保存期間's removals (no personal data in it): the 相談窓口, the 管理者 and 監査."""
    return _active(user) and (user.is_desk or user.is_admin or user.is_auditor)


def can_decide(user: User, report: IncidentReport) -> bool:
    """The committee's decision, made only by finalising it on the committee's pages: the 対策委員長,
    or whoever chairs a meeting with the case still to decide on its agenda."""
    if not _active(user):
        return False
    return user.is_committee_chair or report.agenda_items.filter(
        state="pending", meeting__invitations__user=user, meeting__invitations__role="chair"
    ).exists()


def can_escalate(user: User, report: IncidentReport) -> bool:
    """The 部長 of the report's 部 may raise a case to 特に困難 (cross-department review)."""
    return heads_department_of(user, report) and report.status not in (Status.DRAFT, Status.RETURNED, Status.CLOSED)


def can_see_internal(user: User, report: IncidentReport) -> bool:
    """内部メモ and the 相談窓口's ratings: the 相談窓口 only (never the reporter or the 所属長)."""
    return can_triage(user, report)


def can_see_chief_comment(user: User, report: IncidentReport) -> bool:
    """The 所属長's judgement and comment: the 所属長, the 部長 and the 相談窓口, not the reporter."""
    return (
        can_triage(user, report) or heads_section_of(user, report) or heads_department_of(user, report)
        or (_active(user) and user.is_ga_director and report.cross_review)
    )


def can_edit_report(user: User, report: IncidentReport) -> bool:
    return can_open_editor(user, report) and report.is_editable


def can_open_editor(user: User, report: IncidentReport) -> bool:
    """The report's own editor page belongs to its reporter; whether a save is still accepted
    (``can_edit_report``) is decided again under the row lock when the form is posted. A discarded
    draft has no editor."""
    return (
        user.is_authenticated and user.is_active and report.reporter_id == user.pk
        and report.status != Status.DISCARDED
    )


def can_file_report(user: User) -> bool:
    """Anyone who belongs to a 課 may file; the report belongs to that 課."""
    return user.is_authenticated and user.is_active and user.section_id is not None


def can_see_history(user: User, report: IncidentReport) -> bool:
    """The audit trail is shown to everyone who may see the report."""
    return can_view_report(user, report)


def get_report_for_user(user: User, pk: int, *, for_edit: bool = False) -> IncidentReport:
    """The report with ``pk`` if the user may see it (or, with ``for_edit``, open its editor); else 404."""
    try:
        report = IncidentReport.objects.select_related("section__department", "reporter").get(pk=pk)
    except IncidentReport.DoesNotExist:
        raise Http404 from None
    allowed = can_open_editor(user, report) if for_edit else can_view_report(user, report)
    if not allowed:
        raise Http404
    return report


def get_attachment_for_user(user: User, pk: int) -> Attachment:
    """An evidence file, if the user may see its report (or staged it themselves); else 404."""
    try:
        attachment = Attachment.objects.select_related("report__section__department").get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404 from None
    if attachment.report is None:
        if attachment.uploaded_by_id != user.pk:
            raise Http404
    elif not can_view_report(user, attachment.report):
        raise Http404
    return attachment
