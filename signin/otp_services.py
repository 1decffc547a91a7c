"""The second factor (TOTP in an authenticator app, plus ten single-use recovery codes).

Who must have one, and the writes: set up (an unconfirmed device until the first code proves the
app has the key), recovery codes, removal by the user and reset by a 管理者 (lost phone). The
devices are django-otp's own (``otp_totp.TOTPDevice``, ``otp_static.StaticDevice``); django-otp
keeps the throttling of wrong codes (``OTP_TOTP_THROTTLE_FACTOR``) and the ±1 step tolerance.
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
APP_DEVICE_NAME = "認証アプリ"
RECOVERY_DEVICE_NAME = "回復コード"


def second_factor_required(user) -> bool:
    """True when ``KASUHARA_REQUIRE_2FA`` is on and the user is a 管理者 or holds a role that reads
    other people's reports: 相談窓口, 対策委員・委員長, 総務部長, 職員保健室, and 所属長・部長 (held or
    代理 today: they read their 課's / 部's reports), and 監査 (the audit trail names who did what to
    whose report)."""
    if not getattr(settings, "KASUHARA_REQUIRE_2FA", False) or not user.is_authenticated:
        return False
    return bool(
        user.is_staff or user.is_superuser or user.is_desk or user.is_committee_member
        or user.is_committee_chair or user.is_ga_director or user.is_health_office
        or getattr(user, "is_auditor", False) or user.acts_as_section_chief or user.acts_as_director
    )


def app_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def pending_device(*, user) -> TOTPDevice:
    """The device being set up: the same key on every visit of the setup page until it is confirmed
    (reloading the page does not invalidate a QR code already scanned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def key_in_groups(device: TOTPDevice) -> str:
    """The key as the apps' 「キーを入力」 asks for it (base32), in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str = ""
    device: object | None = None


def _refusal(device) -> str:
    allowed, data = device.verify_is_allowed()
    if not allowed and data and data.get("locked_until"):
        until = timezone.localtime(data["locked_until"]).strftime("%H:%M:%S")
        return _("間違ったコードが続いたため、しばらく受け付けません。%(until)s を過ぎてから、新しいコードを入力してください。") % {
            "until": until}
    return _("コードが違います。認証アプリに今表示されている6桁の数字を入力してください。")


def check_code(*, user, code: str) -> Outcome:
    """A 6-digit code from the app, or a recovery code (used once, then gone)."""
    code = "".join(code.split()).lower()
    if code.isdigit():
        device = app_device(user)
        if device is None:
            return Outcome(False, _("二要素認証が設定されていません。"))
        allowed, _data = device.verify_is_allowed()
        if not allowed:
            return Outcome(False, _refusal(device))
        if device.verify_token(code):
            return Outcome(True, device=device)
        return Outcome(False, _refusal(device))
    for device in StaticDevice.objects.filter(user=user, confirmed=True):
        allowed, _data = device.verify_is_allowed()
        if not allowed:
            return Outcome(False, _refusal(device))
        if device.verify_token(code):
            return Outcome(True, device=device)
        return Outcome(False, _("回復コードが違うか、すでに使われています。"))
    return Outcome(False, _("コードが違います。認証アプリに今表示されている6桁の数字を入力してください。"))


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _log(*, by, user, message: str) -> None:
    """The change in the product's audit trail (the 監査 role reads it at /audit/) and in the admin's
    history of the user: who did what to whose second factor."""
    from .models import SigninEvent

    SigninEvent.objects.create(actor=by, user=user, action=SigninEvent.Action.SECOND_FACTOR, detail={"change": message})
    LogEntry.objects.log_actions(
        user_id=by.pk, queryset=[user], action_flag=CHANGE, change_message=message, single_object=True,
    )


def confirm_setup(*, user, device: TOTPDevice, code: str) -> tuple[Outcome, list[str]]:
    """The first code proves the app has the key: the device is confirmed (replacing an earlier
    app), and ten new recovery codes are made. Returns the codes to show once."""
    code = "".join(code.split())
    if device.user_id != user.pk or device.confirmed:
        return Outcome(False, _("設定をやり直してください。")), []
    if not code.isdigit() or len(code) != device.digits:
        return Outcome(False, _("認証アプリに表示されている6桁の数字を入力してください。")), []
    allowed, _data = device.verify_is_allowed()
    if not allowed or not device.verify_token(code):
        return Outcome(False, _refusal(device)), []
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        _log(by=user, user=user, message=_("二要素認証を設定しました（本人）。"))
    return Outcome(True, device=device), codes


def regenerate_recovery_codes(*, user) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        _log(by=user, user=user, message=_("回復コードを作り直しました（本人）。"))
    return codes


def remove_second_factor(*, user) -> bool:
    """The user turns the second factor off; refused when their roles require it."""
    if second_factor_required(user):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _log(by=user, user=user, message=_("二要素認証を解除しました（本人）。"))
    return True


def reset_second_factor(*, user, by) -> int:
    """A 管理者 removes a user's second factor (lost phone); the user sets it up again at the next
    sign-in. Returns how many devices were removed."""
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[1].get("otp_totp.TOTPDevice", 0)
        removed += StaticDevice.objects.filter(user=user).delete()[1].get("otp_static.StaticDevice", 0)
        _log(by=by, user=user, message=_("二要素認証をリセットしました（端末の紛失など）。"))
    return removed
