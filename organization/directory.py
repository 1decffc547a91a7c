"""Sign-in with the city's directory (LDAP / Active Directory): optional, configured from the
environment, beside the local accounts (the demo's).

``settings_from_env`` is called from ``kasuhara/settings.py``. Without ``KASUHARA_LDAP_URL`` it only
names Django's ``ModelBackend``, and nothing here imports python-ldap, so the demo runs on a machine
without the LDAP headers. With it, ``DirectoryBackend`` (django-auth-ldap) is tried first:

- the account is looked up by the user's search (by default the Active Directory shape, which does
  not find a disabled account), and the typed password is checked by binding as that entry;
- the Django account is the one with the same user name, or else the one imported from the 職員名簿
  with the directory's 職員番号 (``employeeID``); without either, one is created
  (``AccountSource.DIRECTORY``) with 氏名, mail, 職員番号 and 課 from the directory and no local
  password. The 名簿 owns name and 課 of the accounts it imported; the directory does not change them;
- the roles named in ``KASUHARA_LDAP_ROLE_GROUPS`` follow the directory's groups at every sign-in
  (the other roles, the admin rights and ``is_active`` stay what the admin or the 名簿 set);
- a deactivated account (``is_active`` off: a leaver) is refused even if the directory still knows
  the password, and a directory that does not answer is logged and passed over, so the local
  accounts still sign in.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger("kasuhara.directory")

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
DIRECTORY_BACKEND = "organization.directory.DirectoryBackend"
# django-axes first, before either: it refuses a locked account or address (signin/throttle.py).
THROTTLE_BACKEND = "axes.backends.AxesStandaloneBackend"

#: Active Directory: a user entry with this account name whose ``userAccountControl`` does not have
#: the ACCOUNTDISABLE bit (2) set; 1.2.840.113556.1.4.803 is the bitwise-AND matching rule.
AD_USER_FILTER = (
    "(&(objectClass=user)(sAMAccountName=%(user)s)(!(userAccountControl:1.2.840.113556.1.4.803:=2)))"
)

#: ``KASUHARA_LDAP_ROLE_GROUPS`` role names → the role flags of ``organization.models.User``. The
#: admin rights (``is_staff``, ``is_superuser``) and ``is_active`` are deliberately not here: they
#: stay a local decision.
ROLE_FLAGS = {
    "section_chief": "is_section_chief",
    "director": "is_director",
    "desk": "is_desk",
    "ga_director": "is_ga_director",
    "committee_member": "is_committee_member",
    "committee_chair": "is_committee_chair",
    "health_office": "is_health_office",
}

#: ``KASUHARA_LDAP_GROUP_TYPE`` → (django-auth-ldap group type, the default group filter).
GROUP_TYPES = {
    "active_directory_nested": ("NestedActiveDirectoryGroupType", "(objectClass=group)"),
    "active_directory": ("ActiveDirectoryGroupType", "(objectClass=group)"),
    "group_of_names": ("GroupOfNamesType", "(objectClass=groupOfNames)"),
    "group_of_names_nested": ("NestedGroupOfNamesType", "(objectClass=groupOfNames)"),
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _problem(japanese: str, english: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{japanese} / {english}")


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _problem(f"{name} は true か false で指定してください（今は「{value}」）。",
                   f"{name} must be true or false, not {value!r}.")


def _seconds(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    try:
        seconds = int(value)
    except ValueError:
        seconds = -1
    if seconds < 0:
        raise _problem(f"{name} は 0 以上の秒数で指定してください（今は「{value}」）。",
                       f"{name} must be a whole number of seconds, not {value!r}.")
    return seconds


def _dn(ldap: Any, name: str, value: str) -> str:
    """The DN in its normal form (no spaces after the commas, lower case, as django-auth-ldap
    compares group DNs); a malformed one is a configuration error."""
    try:
        parts = ldap.dn.str2dn(value.strip())
    except ldap.DECODING_ERROR:
        parts = None
    if not parts:
        raise _problem(f"{name} の DN「{value}」が読めません（例: CN=kasuhara-chiefs,OU=Groups,DC=city,DC=local）。",
                       f"{name}: {value!r} is not a distinguished name.")
    return ldap.dn.dn2str(parts).lower()


def parse_role_groups(ldap: Any, value: str) -> dict[str, list[str]]:
    """``section_chief=CN=a,OU=Groups,DC=city,DC=local;desk=CN=b,...`` → flag → group DNs.

    Entries are separated by ``;`` (a DN has commas); a role may be named twice (member of either
    group holds it)."""
    flags: dict[str, list[str]] = {}
    for entry in value.split(";"):
        entry = entry.strip()
        if not entry:
            continue
        role, sep, group = entry.partition("=")
        role = role.strip()
        if not sep or not group.strip():
            raise _problem(
                f"KASUHARA_LDAP_ROLE_GROUPS の「{entry}」は「役割=グループのDN」の形にしてください。",
                f"KASUHARA_LDAP_ROLE_GROUPS: {entry!r} is not role=group-DN.",
            )
        if role not in ROLE_FLAGS:
            raise _problem(
                f"KASUHARA_LDAP_ROLE_GROUPS の役割「{role}」は使えません。使える役割: {', '.join(ROLE_FLAGS)}"
                "（管理者権限はディレクトリから与えません）。",
                f"KASUHARA_LDAP_ROLE_GROUPS: unknown role {role!r}; known: {', '.join(ROLE_FLAGS)} "
                "(admin rights are never taken from the directory).",
            )
        flags.setdefault(ROLE_FLAGS[role], []).append(_dn(ldap, "KASUHARA_LDAP_ROLE_GROUPS", group))
    return flags


def settings_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """The authentication settings: ``AUTHENTICATION_BACKENDS`` always, the ``AUTH_LDAP_*`` and
    ``KASUHARA_LDAP_*`` ones when ``KASUHARA_LDAP_URL`` is set. Every variable is in the README."""
    url = env.get("KASUHARA_LDAP_URL", "").strip()
    if not url:
        return {"AUTHENTICATION_BACKENDS": [THROTTLE_BACKEND, MODEL_BACKEND], "KASUHARA_LDAP_ENABLED": False}
    try:
        import ldap
        from django_auth_ldap import config
    except ImportError:
        raise _problem(
            "KASUHARA_LDAP_URL が設定されていますが python-ldap / django-auth-ldap がありません。"
            "`make install-ldap`（requirements-ldap.txt）で入れてください。",
            "KASUHARA_LDAP_URL is set but python-ldap / django-auth-ldap are not installed "
            "(make install-ldap).",
        ) from None

    for uri in url.split():
        if not uri.lower().startswith(("ldap://", "ldaps://")):
            raise _problem(f"KASUHARA_LDAP_URL は ldap:// か ldaps:// で始めてください（今は「{uri}」）。",
                           f"KASUHARA_LDAP_URL must start with ldap:// or ldaps://, not {uri!r}.")
    start_tls = _flag(env, "KASUHARA_LDAP_START_TLS")
    if start_tls and url.lower().startswith("ldaps://"):
        raise _problem("ldaps:// は最初から暗号化されています。KASUHARA_LDAP_START_TLS は外してください。",
                       "ldaps:// is already encrypted; do not set KASUHARA_LDAP_START_TLS with it.")

    timeout = _seconds(env, "KASUHARA_LDAP_TIMEOUT", 5)
    options: dict[int, Any] = {
        ldap.OPT_NETWORK_TIMEOUT: timeout,  # connecting
        ldap.OPT_TIMEOUT: timeout,  # each operation
        ldap.OPT_REFERRALS: 0,  # Active Directory's referrals would otherwise hang a search at the root
    }
    ca_file = env.get("KASUHARA_LDAP_CA_FILE", "").strip()
    if ca_file and not Path(ca_file).is_file():
        raise _problem(f"KASUHARA_LDAP_CA_FILE のファイル「{ca_file}」がありません。",
                       f"KASUHARA_LDAP_CA_FILE: no such file {ca_file!r}.")
    if ca_file or start_tls or url.lower().startswith("ldaps://"):
        if ca_file:
            options[ldap.OPT_X_TLS_CACERTFILE] = ca_file
        options[ldap.OPT_X_TLS_REQUIRE_CERT] = ldap.OPT_X_TLS_DEMAND  # never an unchecked certificate
        options[ldap.OPT_X_TLS_NEWCTX] = 0  # last: makes the TLS options above take effect

    user_base = env.get("KASUHARA_LDAP_USER_BASE", "").strip()
    if not user_base:
        raise _problem("KASUHARA_LDAP_USER_BASE（利用者を探す場所。例: OU=Staff,DC=city,DC=local）を設定してください。",
                       "KASUHARA_LDAP_USER_BASE (where to search for users) is required.")
    user_filter = env.get("KASUHARA_LDAP_USER_FILTER", "").strip() or AD_USER_FILTER
    if "%(user)s" not in user_filter:
        raise _problem("KASUHARA_LDAP_USER_FILTER には入力されたユーザー名の位置 %(user)s を入れてください。",
                       "KASUHARA_LDAP_USER_FILTER must contain %(user)s.")

    group_kind = env.get("KASUHARA_LDAP_GROUP_TYPE", "").strip() or "active_directory_nested"
    if group_kind not in GROUP_TYPES:
        raise _problem(f"KASUHARA_LDAP_GROUP_TYPE は {', '.join(GROUP_TYPES)} のどれかにしてください（今は「{group_kind}」）。",
                       f"KASUHARA_LDAP_GROUP_TYPE must be one of {', '.join(GROUP_TYPES)}, not {group_kind!r}.")
    group_class, default_group_filter = GROUP_TYPES[group_kind]
    group_base = env.get("KASUHARA_LDAP_GROUP_BASE", "").strip() or user_base
    group_filter = env.get("KASUHARA_LDAP_GROUP_FILTER", "").strip() or default_group_filter
    role_groups = parse_role_groups(ldap, env.get("KASUHARA_LDAP_ROLE_GROUPS", ""))
    attributes = {
        "KASUHARA_LDAP_NAME_ATTR": env.get("KASUHARA_LDAP_NAME_ATTR", "").strip() or "displayName",
        "KASUHARA_LDAP_MAIL_ATTR": env.get("KASUHARA_LDAP_MAIL_ATTR", "").strip() or "mail",
        "KASUHARA_LDAP_SECTION_ATTR": env.get("KASUHARA_LDAP_SECTION_ATTR", "").strip() or "department",
        "KASUHARA_LDAP_EMPLOYEE_NUMBER_ATTR": (
            env.get("KASUHARA_LDAP_EMPLOYEE_NUMBER_ATTR", "").strip() or "employeeID"
        ),
    }
    # Only what is read (an AD entry also carries photos and certificates).
    attrlist = list(attributes.values())

    return {
        "AUTHENTICATION_BACKENDS": [THROTTLE_BACKEND, DIRECTORY_BACKEND, MODEL_BACKEND],
        "KASUHARA_LDAP_ENABLED": True,
        "AUTH_LDAP_SERVER_URI": url,
        "AUTH_LDAP_START_TLS": start_tls,
        "AUTH_LDAP_CONNECTION_OPTIONS": options,
        "AUTH_LDAP_BIND_DN": env.get("KASUHARA_LDAP_BIND_DN", "").strip(),
        "AUTH_LDAP_BIND_PASSWORD": env.get("KASUHARA_LDAP_BIND_PASSWORD", ""),
        "AUTH_LDAP_USER_SEARCH": config.LDAPSearch(user_base, ldap.SCOPE_SUBTREE, user_filter, attrlist=attrlist),
        "AUTH_LDAP_USER_ATTRLIST": attrlist,
        "AUTH_LDAP_GROUP_SEARCH": config.LDAPSearch(group_base, ldap.SCOPE_SUBTREE, group_filter, attrlist=["cn"]),
        "AUTH_LDAP_GROUP_TYPE": getattr(config, group_class)(),
        "AUTH_LDAP_USER_FLAGS_BY_GROUP": role_groups,
        # Name, mail, 職員番号 and 課 are filled by DirectoryBackend (the 名簿's accounts keep theirs).
        "AUTH_LDAP_USER_ATTR_MAP": {},
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        # 0 by default: django-auth-ldap caches the user's DN *including "not found"*, so with a
        # cache a newly disabled account (on OpenLDAP) or a directory outage would stick for the
        # whole period. One search per sign-in is cheap; sessions last hours.
        "AUTH_LDAP_CACHE_TIMEOUT": _seconds(env, "KASUHARA_LDAP_CACHE_SECONDS", 0),
        **attributes,
    }


# -- the backend ---------------------------------------------------------------------------------

try:
    from django_auth_ldap.backend import LDAPBackend
    from django_auth_ldap.backend import populate_user as _populate_user_signal
except ImportError:  # LDAP is optional: without it the demo signs in with local accounts only
    LDAPBackend = object  # type: ignore[assignment,misc]
    _populate_user_signal = None


def _first(attrs: Mapping[str, list[str]] | None, name: str) -> str:
    """The first value of an attribute (names are case-insensitive), stripped; "" if absent."""
    if not attrs or not name:
        return ""
    lowered = name.lower()
    for key, values in attrs.items():
        if key.lower() == lowered and values:
            return str(values[0]).strip()
    return ""


def section_for(value: str):
    """The 課 a directory attribute names: by 課コード first, then by a 課名 that only one existing
    課 has. An abolished 課 leads to the one that took over its work. None when nothing matches."""
    from .models import Section

    if not value:
        return None
    section = Section.objects.select_related("current").filter(code=value).first()
    if section is not None:
        return section.current or section
    named = list(Section.objects.filter(name=value, is_active=True)[:2])
    return named[0] if len(named) == 1 else None


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap's backend, matched to our accounts (see the module's docstring)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if LDAPBackend is object:  # configured without the library: settings_from_env refuses that
            return None
        from django.db import transaction

        _connect_signals()
        try:
            with transaction.atomic():  # the account, its roles and the admin's history together
                return super().authenticate(request, username=username, password=password, **kwargs)
        except ImproperlyConfigured:
            raise
        except Exception:  # the directory must never stop the local accounts from signing in
            logger.exception("directory sign-in failed for %r; trying the local accounts", username)
            return None

    def get_or_build_user(self, username, ldap_user):
        from .models import AccountSource, User

        employee_number = _first(ldap_user.attrs, self._setting("KASUHARA_LDAP_EMPLOYEE_NUMBER_ATTR"))
        by_name = list(User.objects.filter(username__iexact=username)[:3])
        if len(by_name) > 1:  # "Tanaka" and "tanaka": only the exact one, if there is one
            by_name = [u for u in by_name if u.username == username]
            if len(by_name) != 1:
                self._refuse(ldap_user, "several accounts are named %r (only the letter case differs)", username)
        user = by_name[0] if by_name else None
        if employee_number:
            holder = User.objects.filter(employee_number=employee_number).first()
            if user is None:
                user = holder
            elif holder is not None and holder.pk != user.pk:
                self._refuse(ldap_user, "account %r and the 職員番号 %s of another account (%r) disagree",
                             user.username, employee_number, holder.username)
            elif user.employee_number and user.employee_number != employee_number:
                self._refuse(ldap_user, "account %r has 職員番号 %s, the directory says %s",
                             user.username, user.employee_number, employee_number)
        if user is not None:
            if not user.is_active:  # a leaver: refused before anything about the account changes
                self._refuse(ldap_user, "account %r is deactivated", user.username)
            user._directory_before = _snapshot(user)
            return user, False
        user = User(username=username.lower(), source=AccountSource.DIRECTORY)
        user._directory_before = None
        return user, True

    def _refuse(self, ldap_user, message, *args):
        logger.warning("directory sign-in refused: " + message, *args)
        raise ldap_user.AuthenticationFailed(message % args)

    def _setting(self, name: str) -> str:
        from django.conf import settings

        return getattr(settings, name, "")

    def fill_account(self, user, ldap_user) -> None:
        """Name, mail, 職員番号 and 課 from the directory's entry: always for the accounts the
        directory created, only what is empty for the others (the 名簿 or the admin owns them)."""
        from .models import AccountSource

        attrs = ldap_user.attrs
        owned = user.source == AccountSource.DIRECTORY
        name = _first(attrs, self._setting("KASUHARA_LDAP_NAME_ATTR"))[:100]
        mail = _first(attrs, self._setting("KASUHARA_LDAP_MAIL_ATTR"))[:254]
        number = _first(attrs, self._setting("KASUHARA_LDAP_EMPLOYEE_NUMBER_ATTR"))[:20]
        section_value = _first(attrs, self._setting("KASUHARA_LDAP_SECTION_ATTR"))
        if name and (owned or not user.display_name):
            user.display_name = name
        if mail and (owned or not user.email):
            user.email = mail
        if number and not user.employee_number:
            user.employee_number = number
        if owned or user.section_id is None:
            section = section_for(section_value)
            if section is not None:
                user.section = section
            elif section_value or user.section_id is None:
                logger.warning("directory: no 課 matches %s=%r for %r", self._setting("KASUHARA_LDAP_SECTION_ATTR"),
                               section_value, user.username)
        self._one_chief_per_section(user)

    def _one_chief_per_section(self, user) -> None:
        """``KASUHARA_SECTION_CHIEFS=one``: the group does not make a second 所属長 of a 課 (the rule
        the admin and the 名簿 apply, organization.policies.chief_conflict)."""
        from .policies import chief_conflict

        if not (user.is_section_chief and "is_section_chief" in self.settings.USER_FLAGS_BY_GROUP):
            return
        holder = chief_conflict(user, user.section_id)
        if holder is not None:
            user.is_section_chief = False
            logger.warning("directory: %r is in the 所属長 group, but %r already heads the 課 (one per 課)",
                           user.username, holder.username)


def _snapshot(user) -> dict[str, Any]:
    fields = ["display_name", "email", "employee_number", "section_id", *ROLE_FLAGS.values()]
    return {field: getattr(user, field) for field in fields}


def _record(user, *, built: bool) -> None:
    """The admin's history of the account (変更履歴) says what the directory created or changed."""
    from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
    from django.utils.translation import gettext

    before = getattr(user, "_directory_before", None)
    _record_roles(user, before, built=built)
    if built:
        message, flag = gettext("ディレクトリの初回サインインで作成"), ADDITION
    else:
        after = _snapshot(user)
        changed = [field for field, value in after.items() if before is not None and before[field] != value]
        if not changed:
            return
        message, flag = gettext("ディレクトリのサインインで更新: %s") % ", ".join(changed), CHANGE
    LogEntry.objects.log_actions(user_id=user.pk, queryset=[user], action_flag=flag, change_message=message,
                                 single_object=True)
    logger.info("directory: %s %r (%s)", "created" if built else "updated", user.username, message)


#: The reason on the ``RoleEvent`` rows the directory's groups write (organization.roles).
DIRECTORY_REASON = "ディレクトリのグループ"


def _record_roles(user, before: dict[str, Any] | None, *, built: bool) -> None:
    """Each role the directory's groups granted or withdrew at this sign-in, as a ``RoleEvent``."""
    from .roles import record_bulk

    changes = [(user, flag, bool(getattr(user, flag))) for flag in ROLE_FLAGS.values()
               if (getattr(user, flag) if built or before is None else before[flag] != getattr(user, flag))]
    if changes:
        record_bulk(changes, actor=None, reason=DIRECTORY_REASON)


def _on_populate(sender, user, ldap_user, **kwargs) -> None:
    ldap_user.backend.fill_account(user, ldap_user)


def _on_saved(sender, instance, created, **kwargs) -> None:
    if hasattr(instance, "_directory_before") and hasattr(instance, "ldap_user"):
        _record(instance, built=created)
        instance._directory_before = _snapshot(instance)


def _connect_signals() -> None:
    """Connected at the first sign-in, not at import: settings.py imports this module before the
    apps are loaded."""
    from django.db.models.signals import post_save

    from .models import User

    _populate_user_signal.connect(_on_populate, sender=DirectoryBackend, dispatch_uid="kasuhara-directory-fill")
    post_save.connect(_on_saved, sender=User, dispatch_uid="kasuhara-directory-record")
