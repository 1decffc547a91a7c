"""保存期間: the nightly removal of evidence and of the 相手方's personal data from closed cases past
the period the city sets in its 文書管理規程, and the legal hold (訴訟・警察対応中) that stops it.

The rule (``closed_before``): a case closed (完了) in a 年度 (April–March) is kept to the end of that
年度 and ``KASUHARA_RETAIN_CLOSED_YEARS`` more 年度; it is removed from the first night of the next
年度. With 5 years, a case closed on 2025-06-10 (令和7年度) is kept to 2031-03-31 and removed on the
night of 2031-04-01. ``KASUHARA_RETAIN_FROM_FISCAL_YEAR_END=false`` counts the years from the
closing moment itself instead.

What is removed, per case, in one transaction (files from storage after commit):
- its evidence files (証拠資料: rows and files) and the 法律相談's report file (報告書);
- on the report: 相手方の氏名・名称, 住所・連絡先, 特徴など, 相手方との関係 and the 障がい等に関する補足
  (non-empty ones become 「（保存期間経過により削除）」); the queue's search text is rebuilt;
- in the 相手方 register: a counterpart whose every linked report is past its period (removed now or
  before) gets the same placeholder in 氏名, 電話番号, 住所, 関係, 特徴, and its matching keys cleared;
- the committee's letters of the case: 宛名, and the counterpart's name and address where the body
  quotes them.

What is kept: everything the statistics count (態様, dates, channel, 課, status, difficulty, counts,
times, sex and age band), the 要求内容・言動・経過 as the case's own record, and every audit event.
A case reopened after closing is not ``closed`` and is not touched; nothing is done twice (a case
once removed carries ``retention_applied_at``).

The same run handles closed 相談 under the same rule (``consultations/retention.py``): their free
text goes, their statistics stay; held by their own hold or by the hold of the linked report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import policies
from .lifecycle import Status
from .models import Attachment, EventAction, IncidentReport, RetentionRun

PLACEHOLDER = gettext_lazy("（保存期間経過により削除）")

#: The report's fields that hold the 相手方's personal data (sex and age band are statistics).
REPORT_FIELDS = ("counterpart_name", "counterpart_contact", "counterpart_description", "counterpart_relation",
                 "disability_note")
COUNTERPART_FIELDS = ("name", "phone", "address", "relation", "description")
COUNTERPART_KEYS = ("name_key", "phone_key", "address_key")


def _fiscal_year(moment: datetime) -> int:
    local = timezone.localtime(moment)
    return local.year if local.month >= 4 else local.year - 1


def closed_before(now: datetime | None = None) -> datetime:
    """Cases closed before this moment are past their 保存期間 at ``now``."""
    now = now or timezone.now()
    years = settings.KASUHARA_RETAIN_CLOSED_YEARS
    tz = timezone.get_current_timezone()
    if settings.KASUHARA_RETAIN_FROM_FISCAL_YEAR_END:
        return datetime(_fiscal_year(now) - years, 4, 1, tzinfo=tz)
    local = timezone.localtime(now)
    try:
        return local.replace(year=local.year - years)
    except ValueError:  # 29 February
        return local.replace(year=local.year - years, day=28)


def kept_until(closed_at: datetime) -> datetime:
    """The last day (local date) the case is kept, for the case page."""
    years = settings.KASUHARA_RETAIN_CLOSED_YEARS
    tz = timezone.get_current_timezone()
    if settings.KASUHARA_RETAIN_FROM_FISCAL_YEAR_END:
        return datetime(_fiscal_year(closed_at) + years + 1, 3, 31, tzinfo=tz)
    local = timezone.localtime(closed_at)
    try:
        return local.replace(year=local.year + years)
    except ValueError:
        return local.replace(year=local.year + years, day=28)


def due(now: datetime | None = None):
    """Closed cases past their period, not yet removed, not held."""
    return IncidentReport.objects.filter(
        status=Status.CLOSED, closed_at__lt=closed_before(now), retention_applied_at__isnull=True, legal_hold=False,
    )


@dataclass
class Removed:
    report: int
    files: int = 0
    fields: list[str] = field(default_factory=list)
    counterparts: list[int] = field(default_factory=list)
    letters: int = 0
    texts: int = 0

    def as_dict(self) -> dict:
        return {"report": self.report, "files": self.files, "fields": self.fields,
                "counterparts": self.counterparts, "letters": self.letters, "texts": self.texts}


def _quoted(*values: str) -> list[str]:
    """The strings to look for in free text: each value whole, and each line or space-separated part
    of at least 4 characters (a phone number, an address line), longest first."""
    found = set()
    for value in values:
        value = (value or "").strip()
        if not value or value == str(PLACEHOLDER):
            continue
        found.add(value)
        found.update(part for part in value.split() if len(part) >= 4)
    return sorted(found, key=len, reverse=True)


def _replace(text: str, names: list[str], max_length: int | None = None) -> str:
    for value in names:
        text = text.replace(value, str(PLACEHOLDER))
    return text[:max_length] if max_length else text


#: Free text of a case that may quote the 相手方's name or contact (the case's own record stays).
REPORT_TEXTS = ("title", "place", "demand", "conduct", "harm_detail", "remarks", "outcome_note", "chief_comment")


def _scrub_texts(report: IncidentReport, names: list[str]) -> int:
    """Replace the 相手方's name and contact, where quoted word for word, in the case's free text:
    the report, its 経過, 内部メモ, 対応の記録 and the live record's notes. Returns how many texts changed."""
    from .models import CaseNote, FollowUpAction, LiveStep, TimelineEntry

    if not names:
        return 0
    changed = 0
    for name in REPORT_TEXTS:
        value, limit = getattr(report, name), IncidentReport._meta.get_field(name).max_length
        if value and _replace(value, names, limit) != value:
            setattr(report, name, _replace(value, names, limit))
            changed += 1
    report.save(update_fields=list(REPORT_TEXTS))
    for model, field_name in ((TimelineEntry, "description"), (CaseNote, "body"), (FollowUpAction, "description"),
                              (LiveStep, "note")):
        rows = (model.objects.filter(record__report=report) if model is LiveStep
                else model.objects.filter(report=report))
        limit = model._meta.get_field(field_name).max_length
        for pk, value in rows.values_list("pk", field_name):
            if value and _replace(value, names, limit) != value:
                model.objects.filter(pk=pk).update(**{field_name: _replace(value, names, limit)})
                changed += 1
    return changed


def run(*, now: datetime | None = None) -> RetentionRun:
    """The nightly task: remove what is past its period, case by case; record the run."""
    now = now or timezone.now()
    cutoff = closed_before(now)
    record = RetentionRun.objects.create(started_at=now, closed_before=cutoff)
    items: list[dict] = []
    for pk in list(due(now).order_by("closed_at", "pk").values_list("pk", flat=True)):
        removed = _remove(pk, now=now, cutoff=cutoff)
        if removed is not None:
            items.append(removed.as_dict())
    record.items = items
    record.report_count = len(items)
    record.file_count = sum(item["files"] for item in items)
    record.counterpart_count = sum(len(item["counterparts"]) for item in items)
    record.held_count = IncidentReport.objects.filter(
        status=Status.CLOSED, closed_at__lt=cutoff, retention_applied_at__isnull=True, legal_hold=True).count()
    record.save()  # what the reports' stage removed (committed case by case) is on record whatever follows
    _run_consultations(record, now=now, cutoff=cutoff)
    record.finished_at = timezone.now()
    record.save()
    return record


def _run_consultations(record: RetentionRun, *, now: datetime, cutoff: datetime) -> None:
    """相談 under the same rule (``consultations/retention.py``), one by one, into the same record."""
    from consultations import retention as consultations

    items: list[dict] = []
    for pk in list(consultations.due(cutoff).order_by("closed_at", "pk").values_list("pk", flat=True)):
        removed = consultations.remove(pk, now=now, cutoff=cutoff)
        if removed is not None:
            items.append(removed.as_dict())
    record.consultation_items = items
    record.consultation_count = len(items)
    record.consultation_held_count = consultations.held(cutoff).count()


@transaction.atomic
def _remove(pk: int, *, now: datetime, cutoff: datetime) -> Removed | None:
    from committee.models import Letter
    from counterparts.models import Counterpart, CounterpartLink
    from support.models import LegalRequest

    from .services import record_event, refresh_search_text

    report = IncidentReport.objects.select_for_update().get(pk=pk)
    # Checked again under the lock: a hold set, or the case reopened, since the list was read.
    if (report.status != Status.CLOSED or report.legal_hold or report.retention_applied_at is not None
            or report.closed_at is None or report.closed_at >= cutoff):
        return None
    removed = Removed(report=pk)
    placeholder = str(PLACEHOLDER)
    files: list[tuple[object, str]] = []

    for attachment in Attachment.objects.filter(report=report):
        files.append((attachment.file.storage, attachment.file.name))
        attachment.delete()
        removed.files += 1
    for legal in LegalRequest.objects.filter(report=report).exclude(report_file=""):
        files.append((legal.report_file.storage, legal.report_file.name))
        LegalRequest.objects.filter(pk=legal.pk).update(report_file="", report_file_name=placeholder)
        removed.files += 1

    linked = CounterpartLink.objects.filter(report=report).values("counterpart")
    counterparts = list(Counterpart.objects.select_for_update().filter(pk__in=linked).order_by("pk"))
    names = _quoted(report.counterpart_name, report.counterpart_contact,
                    *(value for c in counterparts for value in (c.name, c.phone, c.address)))
    removed.texts = _scrub_texts(report, names)
    for name in REPORT_FIELDS:
        if getattr(report, name):
            setattr(report, name, placeholder)
            removed.fields.append(name)
    report.retention_applied_at = now
    report.save(update_fields=[*removed.fields, "retention_applied_at"])
    refresh_search_text(report)

    for counterpart in counterparts:
        others = counterpart.links.exclude(report=report).filter(report__retention_applied_at__isnull=True)
        if others.exists() or counterpart.name == placeholder:
            continue
        for name in COUNTERPART_FIELDS:
            if getattr(counterpart, name):
                setattr(counterpart, name, placeholder)
        for name in COUNTERPART_KEYS:
            setattr(counterpart, name, "")
        Counterpart.objects.filter(pk=counterpart.pk).update(
            **{name: getattr(counterpart, name) for name in (*COUNTERPART_FIELDS, *COUNTERPART_KEYS)})
        removed.counterparts.append(counterpart.pk)

    for letter in Letter.objects.filter(decision__report=report):
        Letter.objects.filter(pk=letter.pk).update(addressee=placeholder if letter.addressee else "",
                                                   body=_replace(letter.body, names))
        removed.letters += 1

    record_event(report=report, actor=None, action=EventAction.RETAINED_REMOVED,
                 detail={"files": removed.files, "fields": removed.fields, "counterparts": removed.counterparts,
                         "letters": removed.letters, "texts": removed.texts})

    def delete_files():
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return removed


# -- the legal hold ----------------------------------------------------------------------------------

@transaction.atomic
def set_hold(*, report: IncidentReport, actor, hold: bool, reason: str, ip_address: str | None = None
             ) -> IncidentReport:
    """訴訟・警察対応中: the 相談窓口 stops (or allows again) the removal for one case, with a reason."""
    from .services import record_event

    locked = IncidentReport.objects.select_for_update().get(pk=report.pk)
    if not policies.can_hold(actor, locked):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("理由を入力してください。"))
    if locked.legal_hold == hold:
        raise ValidationError(_("すでに設定されています。") if hold else _("保留は設定されていません。"))
    locked.legal_hold = hold
    locked.legal_hold_reason = reason if hold else ""
    locked.legal_hold_by = actor if hold else None
    locked.legal_hold_at = timezone.now() if hold else None
    locked.save(update_fields=["legal_hold", "legal_hold_reason", "legal_hold_by", "legal_hold_at", "updated_at"])
    record_event(report=locked, actor=actor, action=EventAction.HOLD_SET if hold else EventAction.HOLD_LIFTED,
                 ip_address=ip_address, reason=reason)
    return locked
