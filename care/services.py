"""Writes to the care records. Each function is keyword-only, runs in one transaction (on the locked
row where there is one), checks the actor, and leaves a ``CareEvent`` behind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kasuhara.wareki import wareki_with_western
from organization.calendar import BusinessCalendar, add_business_days, load_calendar

from . import notices, policies
from .models import SHARE_PARTS, CareEvent, CheckIn, EventAction, Outcome, Referral, ReferralState

if TYPE_CHECKING:
    from incidents.models import IncidentReport
    from organization.models import User

SHARE_FIELDS = tuple(name for name, _label, _holds in SHARE_PARTS)


def record_event(
    *, report_id: int, actor: User | None, action: str, checkin: CheckIn | None = None,
    referral: Referral | None = None, ip_address: str | None = None, detail: dict | None = None,
) -> CareEvent:
    return CareEvent.objects.create(
        report_id=report_id, checkin=checkin, referral=referral, actor=actor, action=action,
        ip_address=ip_address, detail=detail or {},
    )


def checkin_days() -> list[int]:
    """The business days after 提出 at which the 相談窓口 checks in (``KASUHARA_CARE_CHECKIN_DAYS``),
    ascending, without repeats; values below 1 are ignored."""
    return sorted({int(days) for days in settings.KASUHARA_CARE_CHECKIN_DAYS if int(days) >= 1})


def needs_care(report: IncidentReport) -> bool:
    """A report that records mental harm or asks for mental-health follow-up."""
    return bool(report.harm_mental or report.wants_mental_care)


# -- check-ins ---------------------------------------------------------------------------------------

@transaction.atomic
def schedule_checkins(
    *, report: IncidentReport, actor: User | None = None, calendar: BusinessCalendar | None = None,
) -> list[CheckIn]:
    """The check-ins of a submitted report that needs care, each due its number of business days
    after the submission (the submission day never counts; weekends, holidays and the city's closing
    days do not either). Called when a report is submitted; a resubmission after 差戻し adds only
    what is missing, so each check-in exists once. Returns the check-ins made now."""
    if not needs_care(report) or report.submitted_at is None or report.status in policies.NOT_FILED:
        return []
    existing = set(CheckIn.objects.filter(report=report).values_list("number", flat=True))
    calendar = calendar if calendar is not None else load_calendar()
    made = []
    for number, days in enumerate(checkin_days(), 1):
        if number in existing:
            continue
        due_on = add_business_days(report.submitted_at, days, calendar)
        try:
            with transaction.atomic():
                checkin = CheckIn.objects.create(report=report, person_id=report.reporter_id, number=number,
                                                 business_days=days, due_on=due_on)
        except IntegrityError:  # made a moment ago by another request
            continue
        record_event(report_id=report.pk, checkin=checkin, actor=actor, action=EventAction.CHECKIN_SCHEDULED,
                     detail={"number": number, "days": days, "due_on": due_on.isoformat()})
        made.append(checkin)
    return made


def record_checkin_view(*, checkin: CheckIn, actor: User, ip_address: str | None) -> None:
    record_event(report_id=checkin.report_id, checkin=checkin, actor=actor, action=EventAction.CHECKIN_VIEWED,
                 ip_address=ip_address)


@transaction.atomic
def record_checkin(
    *, checkin: CheckIn, actor: User, outcome: str, note: str = "", ip_address: str | None = None,
) -> CheckIn:
    """The outcome of a check-in (話を聞いた / 本人が辞退した) and the 相談窓口's note; once."""
    if not policies.can_manage_checkins(actor):
        raise PermissionDenied
    if outcome not in Outcome.values:
        raise ValidationError(_("結果を選んでください。"))
    checkin = CheckIn.objects.select_for_update().get(pk=checkin.pk)
    if checkin.is_done:
        raise ValidationError(
            _("このフォローの結果は %(at)s に %(who)s が記録済みです。") % {
                "at": f"{wareki_with_western(checkin.done_at)} {timezone.localtime(checkin.done_at):%H:%M}",
                "who": checkin.done_by or "—"})
    checkin.outcome = outcome
    checkin.note = note
    checkin.done_at = timezone.now()
    checkin.done_by = actor
    checkin.save(update_fields=["outcome", "note", "done_at", "done_by"])
    record_event(report_id=checkin.report_id, checkin=checkin, actor=actor, action=EventAction.CHECKIN_RECORDED,
                 ip_address=ip_address, detail={"outcome": outcome, "number": checkin.number})
    return checkin


# -- referrals ---------------------------------------------------------------------------------------

@transaction.atomic
def propose_referral(
    *, report: IncidentReport, actor: User, message: str = "", ip_address: str | None = None,
) -> Referral:
    """The 相談窓口 proposes a referral of the report's reporter to the 保健室; nothing reaches the
    保健室 until the staff member consents."""
    if not policies.can_propose(actor, report):
        raise PermissionDenied
    if Referral.objects.filter(report=report).exists():
        raise ValidationError(_("この連絡票の保健室への紹介はすでに提案されています。"))
    try:
        with transaction.atomic():
            referral = Referral.objects.create(report=report, person_id=report.reporter_id, proposed_by=actor,
                                               message=message)
    except IntegrityError:
        raise ValidationError(_("この連絡票の保健室への紹介はすでに提案されています。")) from None
    record_event(report_id=report.pk, referral=referral, actor=actor, action=EventAction.REFERRAL_PROPOSED,
                 ip_address=ip_address)
    notices.referral_proposed(referral=referral, actor=actor)
    return referral


def record_referral_view(*, referral: Referral, actor: User, ip_address: str | None) -> None:
    record_event(report_id=referral.report_id, referral=referral, actor=actor, action=EventAction.REFERRAL_VIEWED,
                 ip_address=ip_address)


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral.pk)


def _person_only(actor: User, referral: Referral) -> None:
    if not policies.can_consent(actor, referral):
        raise PermissionDenied


@transaction.atomic
def consent(
    *, referral: Referral, actor: User, share: dict[str, bool], share_with_chief: bool = False, contact: str = "",
    ip_address: str | None = None,
) -> Referral:
    """The staff member's consent, given by themselves: which parts of the report the 保健室 may read
    (``share``: ``share_summary``, ``share_conduct``, ``share_timeline``, ``share_harm``), whether the
    所属長 may know a referral exists, how the 保健室 may reach them. Given again, it replaces the
    choices (the history keeps each). The 保健室 is told when the consent starts."""
    _person_only(actor, referral)
    referral = _locked(referral)
    starts = referral.state != ReferralState.CONSENTED
    for name in SHARE_FIELDS:
        setattr(referral, name, bool(share.get(name)))
    referral.share_with_chief = bool(share_with_chief)
    referral.contact = contact
    referral.state = ReferralState.CONSENTED
    referral.consented_at = timezone.now()
    referral.consented_by = actor
    referral.declined_at = None
    referral.withdrawn_at = None
    referral.save()
    record_event(
        report_id=referral.report_id, referral=referral, actor=actor, action=EventAction.CONSENT_GIVEN,
        ip_address=ip_address,
        detail={"parts": [name for name in SHARE_FIELDS if getattr(referral, name)],
                "chief": referral.share_with_chief, "changed": not starts},
    )
    if starts:
        notices.referral_consented(referral=referral, actor=actor)
        notices.referral_answered(referral=referral, actor=actor, answer="consented", at=referral.consented_at)
    return referral


@transaction.atomic
def decline(*, referral: Referral, actor: User, ip_address: str | None = None) -> Referral:
    """The staff member does not want the referral (the 保健室 never hears of it)."""
    _person_only(actor, referral)
    referral = _locked(referral)
    if referral.state != ReferralState.PROPOSED:
        raise ValidationError(_("この紹介はすでに「%(state)s」です。") % {"state": referral.get_state_display()})
    referral.state = ReferralState.DECLINED
    referral.declined_at = timezone.now()
    referral.save(update_fields=["state", "declined_at", "updated_at"])
    record_event(report_id=referral.report_id, referral=referral, actor=actor,
                 action=EventAction.REFERRAL_DECLINED, ip_address=ip_address)
    notices.referral_answered(referral=referral, actor=actor, answer="declined", at=referral.declined_at)
    return referral


@transaction.atomic
def withdraw(*, referral: Referral, actor: User, ip_address: str | None = None) -> Referral:
    """The staff member withdraws the consent: from now on the 保健室 and the 所属長 read nothing of it."""
    _person_only(actor, referral)
    referral = _locked(referral)
    if referral.state != ReferralState.CONSENTED:
        raise ValidationError(_("同意していない紹介は取り消せません。"))
    referral.state = ReferralState.WITHDRAWN
    referral.withdrawn_at = timezone.now()
    referral.received_at = None
    referral.received_by = None
    referral.save(update_fields=["state", "withdrawn_at", "received_at", "received_by", "updated_at"])
    record_event(report_id=referral.report_id, referral=referral, actor=actor,
                 action=EventAction.CONSENT_WITHDRAWN, ip_address=ip_address)
    notices.referral_answered(referral=referral, actor=actor, answer="withdrawn", at=referral.withdrawn_at)
    return referral


@transaction.atomic
def receive(*, referral: Referral, actor: User, ip_address: str | None = None) -> Referral:
    """The 保健室 takes the referral up (the staff member and the 相談窓口 see that it did)."""
    referral = _locked(referral)
    if not policies.is_health_office(actor) or not referral.is_consented:
        raise PermissionDenied
    if referral.received_at is not None:
        raise ValidationError(_("この紹介はすでに受け付けています。"))
    referral.received_at = timezone.now()
    referral.received_by = actor
    referral.save(update_fields=["received_at", "received_by", "updated_at"])
    record_event(report_id=referral.report_id, referral=referral, actor=actor,
                 action=EventAction.REFERRAL_RECEIVED, ip_address=ip_address)
    return referral
