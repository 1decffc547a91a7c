"""The one place roles are granted and withdrawn (separation of duties).

Every role flag of ``User`` (所属長, 部長, 相談窓口, 総務部長, 対策委員, 対策委員長, 職員保健室, 監査) and
the admin rights (``is_staff`` / ``is_superuser``) change here — the admin's 「役割を変更」 page calls
``grant_role`` / ``withdraw_role``; the user change form shows the flags read-only. Each change, in one
transaction: the flag, a ``RoleEvent`` (who, to whom, which role, why, from where) and a notice
「役割の変更」 to the 相談窓口 and the other admins.

An admin cannot give *themselves* a role that reads reports or the audit trail: a second admin must
do it, and the record shows both. Withdrawing one's own role is allowed. (The 職員名簿 import and the
directory's groups set roles in bulk; they record their own ``RoleEvent`` rows.)
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import RoleEvent, User
from .policies import chief_conflict, chief_taken_message

#: Role code (``RoleEvent.role``) → the flag on ``User`` and its label.
ROLE_FLAGS: dict[str, tuple[str, str]] = {
    "section_chief": ("is_section_chief", _("所属長")),
    "director": ("is_director", _("部長")),
    "desk": ("is_desk", _("相談窓口")),
    "ga_director": ("is_ga_director", _("総務部長")),
    "committee_member": ("is_committee_member", _("対策委員")),
    "committee_chair": ("is_committee_chair", _("対策委員長")),
    "health_office": ("is_health_office", _("職員保健室")),
    "auditor": ("is_auditor", _("監査")),
    "staff": ("is_staff", _("管理者（管理画面）")),
    "superuser": ("is_superuser", _("管理者（すべての権限）")),
}

#: Roles that read other people's reports or the audit trail: never granted to oneself.
READING_ROLES = frozenset(
    {"section_chief", "director", "desk", "ga_director", "committee_member", "committee_chair", "health_office",
     "auditor"}
)

SELF_GRANT_REFUSED = _("ご自身にこの役割を付けることはできません。別の管理者に依頼してください。")


class RoleRefused(PermissionDenied):
    """The change is not allowed (e.g. granting oneself a role that reads reports)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def role_label(role: str) -> str:
    return str(ROLE_FLAGS[role][1])


def role_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, (_flag, label) in ROLE_FLAGS.items()]


def _check_actor(actor: User) -> None:
    if not (actor.is_active and (actor.is_staff or actor.is_superuser)):
        raise RoleRefused(gettext("役割を変更できるのは管理者だけです。"))


def _change(*, actor: User, user: User, role: str, reason: str, ip_address: str | None, grant: bool) -> RoleEvent | None:
    if role not in ROLE_FLAGS:
        raise ValidationError(gettext("その役割はありません。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(gettext("理由を入力してください。"))
    _check_actor(actor)
    if grant and actor.pk == user.pk and role in READING_ROLES:
        raise RoleRefused(str(SELF_GRANT_REFUSED))
    if grant and role == "superuser" and not actor.is_superuser:
        raise RoleRefused(gettext("「すべての権限」を付けられるのは、すべての権限を持つ管理者だけです。"))
    flag = ROLE_FLAGS[role][0]
    with transaction.atomic():
        target = User.objects.select_for_update().get(pk=user.pk)
        if bool(getattr(target, flag)) == grant:
            return None  # nothing to change, nothing to record
        if grant and role == "section_chief" and target.is_active:
            holder = chief_conflict(target, target.section_id)
            if holder is not None:
                raise ValidationError(chief_taken_message(target.section, holder))
        setattr(target, flag, grant)
        target.save(update_fields=[flag])
        setattr(user, flag, grant)
        event = RoleEvent.objects.create(
            actor=actor, user=target, role=role, reason=reason[:300], ip_address=ip_address,
            detail={"role": role_label(role), "reason": reason[:300]},  # for the audit viewer's 詳細
            action=RoleEvent.Action.GRANTED if grant else RoleEvent.Action.WITHDRAWN,
        )
        _notify(event, actor=actor)
    return event


def _notify(event: RoleEvent, *, actor: User | None) -> None:
    from notifications.kinds import Kind
    from notifications.outbox import fan_out

    fan_out(
        Kind.ROLE_CHANGED, RoleEvent.objects.filter(pk=event.pk), key=f"role-{event.pk}", actor=actor,
        params={"person": str(event.user), "role": role_label(event.role), "change": event.get_action_display()},
    )


def grant_role(*, actor: User, user: User, role: str, reason: str, ip_address: str | None = None) -> RoleEvent | None:
    """Give ``user`` the ``role``; returns the event, or None if they already held it.

    Raises ``RoleRefused`` (an admin granting themselves a reading role, a non-admin) or
    ``ValidationError`` (no reason, unknown role, a second 所属長 where the city allows one)."""
    return _change(actor=actor, user=user, role=role, reason=reason, ip_address=ip_address, grant=True)


def withdraw_role(*, actor: User, user: User, role: str, reason: str, ip_address: str | None = None) -> RoleEvent | None:
    """Take ``role`` from ``user`` (oneself included); returns the event, or None if they did not hold it."""
    return _change(actor=actor, user=user, role=role, reason=reason, ip_address=ip_address, grant=False)


def record_bulk(changes: list[tuple[User, str, bool]], *, actor: User | None, reason: str) -> int:
    """Record role changes already written in bulk (the 職員名簿 import, the directory's groups):
    ``(user, flag name, granted)``; one ``bulk_create``. Returns how many were recorded."""
    by_flag = {flag: code for code, (flag, _label) in ROLE_FLAGS.items()}
    events = [
        RoleEvent(actor=actor, user=user, role=by_flag[flag], reason=reason,
                  detail={"role": role_label(by_flag[flag]), "reason": reason},
                  action=RoleEvent.Action.GRANTED if granted else RoleEvent.Action.WITHDRAWN)
        for user, flag, granted in changes if flag in by_flag
    ]
    RoleEvent.objects.bulk_create(events, batch_size=500)
    return len(events)
