"""Reads of the care records, always through ``care.policies``; each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from incidents.models import IncidentReport

from . import policies
from .models import SHARE_PARTS, CareEvent, CheckIn, EventAction, Referral, ReferralState

if TYPE_CHECKING:
    from organization.models import User

#: How many due check-ins the queue's section shows (the rest are on /care/checkins/).
QUEUE_ROWS = 10
VIEWS = (EventAction.CHECKIN_VIEWED, EventAction.REFERRAL_VIEWED)
#: How many rows each list of /care/checkins/ shows.
LIST_ROWS = 100


def _open_checkins() -> QuerySet[CheckIn]:
    return (CheckIn.objects.filter(done_at__isnull=True, report__status__in=policies.filed_statuses())
            .select_related("report__section", "person").order_by("due_on", "id"))


@dataclass(frozen=True)
class DueCheckins:
    rows: list[CheckIn]
    more: bool
    today: object


def due_for_queue(user: User) -> DueCheckins | None:
    """The check-ins due by today, oldest first, for the 相談窓口's queue (one query); None for
    anyone else (no query)."""
    if not policies.can_manage_checkins(user):
        return None
    today = timezone.localdate()
    rows = list(_open_checkins().filter(due_on__lte=today)[:QUEUE_ROWS + 1])
    return DueCheckins(rows[:QUEUE_ROWS], len(rows) > QUEUE_ROWS, today)


@dataclass(frozen=True)
class CheckinLists:
    due: list[CheckIn]
    upcoming: list[CheckIn]
    done: list[CheckIn]
    today: object
    more: bool


def checkin_lists(user: User) -> CheckinLists:
    """/care/checkins/: the open ones due by today (oldest first), the later ones, and the latest
    recorded (three queries; at most ``LIST_ROWS`` each); empty for anyone but the 相談窓口."""
    if not policies.can_manage_checkins(user):
        return CheckinLists([], [], [], timezone.localdate(), False)
    today = timezone.localdate()
    due = list(_open_checkins().filter(due_on__lte=today)[:LIST_ROWS + 1])
    upcoming = list(_open_checkins().filter(due_on__gt=today)[:LIST_ROWS + 1])
    done = list(
        CheckIn.objects.filter(done_at__isnull=False, report__status__in=policies.filed_statuses())
        .select_related("report__section", "person", "done_by").order_by("-done_at", "-id")[:LIST_ROWS]
    )
    return CheckinLists(due[:LIST_ROWS], upcoming[:LIST_ROWS], done, today,
                        len(due) > LIST_ROWS or len(upcoming) > LIST_ROWS)


def checkins_of(report_id: int) -> list[CheckIn]:
    return list(CheckIn.objects.filter(report_id=report_id).select_related("done_by").order_by("number"))


def referral_of(report_id: int) -> Referral | None:
    return Referral.objects.filter(report_id=report_id).first()


def visible_referrals(user: User) -> QuerySet[Referral]:
    return (policies.visible_referrals(user)
            .select_related("person__section", "report", "received_by").order_by("-proposed_at", "-id"))


@dataclass(frozen=True)
class History:
    """The changes, in order, and how many views (each view is recorded; they are counted, not listed)."""

    events: list[CareEvent]
    views: int


def _history(events: QuerySet[CareEvent]) -> History:
    changes = list(events.exclude(action__in=VIEWS).select_related("actor", "checkin").order_by("at", "id"))
    labels = dict((name, str(label)) for name, label, _holds in SHARE_PARTS)
    for event in changes:
        event.part_labels = [labels[p] for p in event.detail.get("parts", []) if p in labels]
    return History(changes, events.filter(action__in=VIEWS).count())


def history(user: User, referral: Referral) -> History | None:
    """The referral's audit trail, for the staff member and the 相談窓口 (None for anyone else)."""
    if not policies.can_read_details(user, referral):
        return None
    return _history(referral.events.all())


def checkin_history(checkin: CheckIn) -> History:
    """Every check-in of the case, for the 相談窓口."""
    return _history(CareEvent.objects.filter(report_id=checkin.report_id, checkin__isnull=False))


def shared_report(user: User, referral: Referral) -> IncidentReport | None:
    """The report, for showing the parts the staff member chose (the caller shows only those); None
    for anyone the policy does not let read them."""
    if not policies.can_read_shared_parts(user, referral):
        return None
    report = referral.report
    if referral.share_summary or policies.is_person(user, referral):
        report.type_names = list(report.harassment_types.order_by("number").values_list("name", flat=True))
    if referral.share_timeline or policies.is_person(user, referral):
        report.timeline_rows = list(report.timeline.order_by("at", "id"))
    return report


@dataclass(frozen=True)
class HomeCare:
    """What the home page says of care: the check-ins the 相談窓口 will make with the user, the
    referrals that wait for the user's answer or are in force, and for the 保健室, the 所属長 and
    the 相談窓口 how many referrals they may open."""

    checkins: list[CheckIn]
    referrals: list[Referral]
    others: int

    def __bool__(self) -> bool:
        return bool(self.checkins or self.referrals or self.others)


def home(user: User) -> HomeCare:
    """Two queries for everyone; a third for the 保健室, a 所属長 and the 相談窓口."""
    if not user.is_authenticated:
        return HomeCare([], [], 0)
    checkins = list(CheckIn.objects.filter(person=user, done_at__isnull=True,
                                           report__status__in=policies.filed_statuses()).order_by("due_on", "id"))
    referrals = list(Referral.objects.filter(person=user).exclude(report__status__in=policies.NOT_FILED)
                     .filter(state__in=[ReferralState.PROPOSED, ReferralState.CONSENTED]).order_by("-proposed_at"))
    others = 0
    if user.is_health_office or user.acts_as_section_chief or user.is_desk:
        others = policies.visible_referrals(user).exclude(person=user).count()
    return HomeCare(checkins, referrals, others)
