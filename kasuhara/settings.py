"""Settings, read from environment variables with safe defaults.

Without any environment the project runs as a self-contained demo: SQLite in ``var/``, Celery
tasks in-process, e-mail to the console. Production sets ``DJANGO_DEBUG=false`` and must then
provide a real ``DJANGO_SECRET_KEY`` (the default one is refused at start-up).
Every variable is listed in README.md, "Configuration".
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")
VAR_DIR = Path(env.str("KASUHARA_VAR_DIR", default=str(BASE_DIR / "var")))
# Local state (SQLite file, collected static files, uploads) lives here; never under static/.
(VAR_DIR / "staticfiles").mkdir(parents=True, exist_ok=True)

INSECURE_DEFAULT_SECRET = "insecure-demo-secret-change-me"  # noqa: S105 - refused in production

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=INSECURE_DEFAULT_SECRET)
if not DEBUG and SECRET_KEY == INSECURE_DEFAULT_SECRET:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a long random value when DJANGO_DEBUG is false."
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # django-bootstrap-static: Bootstrap's CSS/JS served by us, no CDN
    "reversion",
    "organization",
    "manual",
    "incidents",
    "consultations",
    "counterparts",
    "committee",
    "notifications",
    "support",  # 法律相談依頼・庁舎管理の依頼: requests with readers of their own (issue 11)
    "care",  # 職員のケア: check-ins and 保健室 referrals, with confidentiality rules of their own (issue 11)
    "helpcalls",  # 応援要請: the call for help (issue 11)
    "stats",  # 統計・年次報告: reads every record, writes only the annual report (issue 12)
    "surveys",  # 職員アンケート: anonymous answers with a storage rule of their own (issue 12)
    "axes",  # failed sign-ins: per account and per address (signin/throttle.py)
    "django_otp",  # the second factor (signin/otp_services.py)
    "django_otp.plugins.otp_totp",  # its authenticator apps (TOTP)
    "django_otp.plugins.otp_static",  # its recovery codes
    "signin",  # サインインの保護: throttling, the second factor, sessions (issue 14)
    "audit",  # 監査: the auditor's viewer over every audit trail, and their DB guard (issue 14)
    "demo",
    "kasuhara",  # the project's own pages and commands (accessibility_report)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so that every answer carries the policy and the headers (error pages included).
    "csp.middleware.CSPMiddleware",
    "kasuhara.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # user.is_verified(): the second factor typed this session
    # Pages for a signed-in user show personal data: never stored by a browser or a proxy.
    "kasuhara.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "signin.middleware.SessionGuardMiddleware",  # idle sign-out, new key on a role change (issue 14)
    "signin.otp_middleware.SecondFactorMiddleware",  # nothing opens before the second factor (issue 14)
    "axes.middleware.AxesMiddleware",  # last: turns a refused sign-in into our 429 page
]

ROOT_URLCONF = "kasuhara.urls"
WSGI_APPLICATION = "kasuhara.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organization.context_processors.roles",
                "notifications.context_processors.inbox",
            ],
        },
    },
]

# Database: SQLite file by default, PostgreSQL (or anything dj-database-url knows) via DATABASE_URL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kasuhara.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organization.User"
# Sign-in: local accounts always; with KASUHARA_LDAP_URL also the city's directory (LDAP / Active
# Directory), tried first (organization/directory.py; README, 「ディレクトリ（Active Directory / LDAP）でのサインイン」).
from organization.directory import settings_from_env as _directory_settings  # noqa: E402

vars().update(_directory_settings(os.environ))
# Throttling of failed sign-ins (django-axes; signin/throttle.py, README 「サインインの制限」): its
# backend is first in AUTHENTICATION_BACKENDS (organization/directory.py) and refuses a locked account or address.
KASUHARA_SIGNIN_FAILURE_LIMIT = env.int("KASUHARA_SIGNIN_FAILURE_LIMIT", default=5)  # per account
KASUHARA_SIGNIN_ADDRESS_FAILURE_LIMIT = env.int("KASUHARA_SIGNIN_ADDRESS_FAILURE_LIMIT", default=20)
KASUHARA_SIGNIN_LOCK_MINUTES = env.int("KASUHARA_SIGNIN_LOCK_MINUTES", default=15)
AXES_HANDLER = "signin.throttle.ThrottleHandler"
AXES_FAILURE_LIMIT = KASUHARA_SIGNIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=KASUHARA_SIGNIN_LOCK_MINUTES)
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "organization.audit.client_ip"
AXES_USERNAME_CALLABLE = "signin.throttle.account_key"
AXES_LOCKOUT_CALLABLE = "signin.throttle.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# The second factor (signin/otp_services.py, README 「二要素認証」): required for 管理者 and the roles
# that read other people's reports; on by default in production, off in the demo (DJANGO_DEBUG on).
KASUHARA_REQUIRE_2FA = env.bool("KASUHARA_REQUIRE_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("KASUHARA_2FA_ISSUER", default="カスハラ対応システム")
OTP_TOTP_THROTTLE_FACTOR = 1  # after n wrong codes in a row, wait 2^(n-1) s before the next try
OTP_STATIC_THROTTLE_FACTOR = 1
# Idle sign-out (signin/middleware.py) besides the working-day limit SESSION_COOKIE_AGE.
KASUHARA_IDLE_MINUTES = env.int("KASUHARA_IDLE_MINUTES", default=30)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("KASUHARA_SESSION_SECONDS", default=8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating proxy (see docker-compose.yml) the proxy sets these headers; only then
# are they believed (the audit trail records the X-Forwarded-For client address).
BEHIND_PROXY = env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
KASUHARA_TRUST_X_FORWARDED_FOR = BEHIND_PROXY
# HTTPS: on behind the TLS proxy, or with DJANGO_HTTPS=true when Django is reached over TLS some
# other way. Then plain http is redirected (the container's own /healthz probe excepted) and
# browsers are told to use https only (HSTS, a year by default; DJANGO_HSTS_SECONDS=0 turns it off).
HTTPS = env.bool("DJANGO_HTTPS", default=BEHIND_PROXY)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SSL_REDIRECT", default=HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000 if HTTPS and not DEBUG else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
# The browsers' HSTS preload list is for public domains; a city's internal host does not belong there.
SECURE_HSTS_PRELOAD = False
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Permissions-Policy (kasuhara/middleware.py): none of these browser features is used. The live
# record (static/js/live.js) uses only the clipboard, which stays allowed for our own pages.
KASUHARA_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), hid=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), serial=(), usb=()"
)
# Content-Security-Policy (django-csp): our own files only; no inline script at all, and inline
# <style> only with the request's nonce (the charts' SVG, kasuhara/charts.py).
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
# A form sent after its CSRF token went stale (a page left open too long): a Japanese page.
CSRF_FAILURE_VIEW = "kasuhara.errors.csrf_failure"

# Japanese first; the source strings are Japanese and wrapped in gettext so other languages can follow.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Evidence files: outside static/, never given a URL; served only by a view that applies the policy.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.str("KASUHARA_UPLOAD_DIR", default=str(VAR_DIR / "uploads")),
                    "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# There is deliberately no public media: evidence lives in the storage location above and is
# served only through the policy. MEDIA_URL/ROOT point at an empty, unrouted place.
MEDIA_URL = "/_no_public_media/"
MEDIA_ROOT = VAR_DIR / "no-public-media"

# Uploads: limits for evidence (per file, per report, and per user for files uploaded with a form
# that was not saved yet), checked while the request is read (incidents/uploads.py).
# 保存期間 (incidents/retention.py): a closed case's evidence and its 相手方's personal data are kept to
# the end of the 年度 it was closed in and this many 年度 more (per the city's 文書管理規程); a closed
# 相談's free text too (consultations/retention.py).
KASUHARA_RETAIN_CLOSED_YEARS = env.int("KASUHARA_RETAIN_CLOSED_YEARS", default=5)
KASUHARA_RETAIN_FROM_FISCAL_YEAR_END = env.bool("KASUHARA_RETAIN_FROM_FISCAL_YEAR_END", default=True)
KASUHARA_MAX_UPLOAD_MB = env.int("KASUHARA_MAX_UPLOAD_MB", default=20)
KASUHARA_MAX_FILES_PER_REPORT = env.int("KASUHARA_MAX_FILES_PER_REPORT", default=20)
KASUHARA_MAX_REPORT_UPLOAD_MB = env.int("KASUHARA_MAX_REPORT_UPLOAD_MB", default=200)
KASUHARA_MAX_PENDING_FILES_PER_USER = env.int("KASUHARA_MAX_PENDING_FILES_PER_USER", default=20)
KASUHARA_MAX_PENDING_UPLOAD_MB_PER_USER = env.int("KASUHARA_MAX_PENDING_UPLOAD_MB_PER_USER", default=200)
FILE_UPLOAD_HANDLERS = [
    "incidents.uploads.EvidenceQuotaHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Evidence is personal data: readable by the app's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A complete report with its longest 経過 has a few hundred fields; more is not a browser.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# E-mail: console by default, SMTP (or any backend URL django-environ knows) via EMAIL_URL.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="kasuhara@localhost")

# The cache holds only what can be computed again: the dashboard's numbers, under the data's
# fingerprint (stats/changes.py). Per process by default; CACHE_URL=redis://redis:6379/1 shares it
# between the web processes, so what one computed serves all. A cache that is down is skipped.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# Celery: without a broker, tasks run in-process so the demo needs no Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# A broker that does not answer must not hold up a request: the outbox keeps what was not sent.
# ``max_retries``: one connection attempt when sending (kombu otherwise retries for
# broker_connection_timeout plus its back-off, 6 s a message); the worker's own connection keeps
# retrying by broker_connection_max_retries.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "max_retries": 0}
CELERY_BEAT_SCHEDULE = {
    "purge-stale-staged-uploads": {
        "task": "incidents.tasks.purge_stale_staged_attachments",
        "schedule": 60 * 60,
    },
    # 保存期間: evidence and the 相手方's personal data of closed cases past their period (nightly).
    "retention": {
        "task": "incidents.tasks.apply_retention",
        "schedule": crontab(hour=env.int("KASUHARA_RETENTION_HOUR", default=3), minute=0),
    },
    "compact-report-counts": {
        "task": "incidents.tasks.compact_report_counts",
        "schedule": 60 * 60,
    },
    "compact-stats-changes": {
        "task": "stats.tasks.compact_changes",
        "schedule": 60 * 60,
    },
    # Escalations and reminders that fall due (set-based; safe to overlap).
    "notice-sweep": {
        "task": "notifications.tasks.sweep",
        "schedule": env.int("KASUHARA_NOTICE_SWEEP_SECONDS", default=5 * 60),
    },
    # Notices whose delivery task was lost (broker down at the time) or whose worker died.
    "notice-requeue": {
        "task": "notifications.tasks.requeue_pending",
        "schedule": 2 * 60,
    },
}

# Notices (notifications/): where e-mail links lead, how often delivery is retried, which sweeps
# run. Who receives what, and after how many business days, is the admin's (お知らせの設定).
KASUHARA_BASE_URL = env.str("KASUHARA_BASE_URL", default="http://127.0.0.1:8000")
KASUHARA_NOTICE_MAX_ATTEMPTS = env.int("KASUHARA_NOTICE_MAX_ATTEMPTS", default=5)
KASUHARA_NOTICE_RETRY_SECONDS = env.int("KASUHARA_NOTICE_RETRY_SECONDS", default=30)
KASUHARA_NOTICE_REQUEUE_GRACE_SECONDS = env.int("KASUHARA_NOTICE_REQUEUE_GRACE_SECONDS", default=60)
KASUHARA_NOTICE_SWEEPS = [
    "incidents.escalation.sweep",
    "committee.reminders.sweep",
    "care.sweeps.sweep",
]
# 職員のケア: the check-ins of the 相談窓口 with a staff member whose report records mental harm,
# in business days after 提出 (about a week and a month).
KASUHARA_CARE_CHECKIN_DAYS = env.list("KASUHARA_CARE_CHECKIN_DAYS", cast=int, default=[5, 20])
# How often an open page asks for the unread count (the header's お知らせ badge).
KASUHARA_INBOX_POLL_SECONDS = env.int("KASUHARA_INBOX_POLL_SECONDS", default=30)
# 応援要請 (helpcalls/): how long a call stays in the banner, how often one user may call (a stuck
# button cannot flood a 課), and how often an open page asks for calls (0: never).
KASUHARA_HELP_CALL_MINUTES = env.int("KASUHARA_HELP_CALL_MINUTES", default=30)
KASUHARA_HELP_CALL_INTERVAL_SECONDS = env.int("KASUHARA_HELP_CALL_INTERVAL_SECONDS", default=60)
KASUHARA_HELP_CALLS_PER_HOUR = env.int("KASUHARA_HELP_CALLS_PER_HOUR", default=5)
KASUHARA_HELP_POLL_SECONDS = env.int("KASUHARA_HELP_POLL_SECONDS", default=5)
# 対応中の記録: a sync the server has not answered within this many milliseconds is given up (the
# steps stay on the phone and are sent again), so a connection that drops answers silently cannot stall it.
KASUHARA_LIVE_SYNC_TIMEOUT_MS = env.int("KASUHARA_LIVE_SYNC_TIMEOUT_MS", default=20_000)

# The report list's index INCLUDEs columns for PostgreSQL's index-only COUNT; SQLite (the demo)
# simply ignores them, which is fine.
SILENCED_SYSTEM_CHECKS = [
    "models.W040",
    "security.W021",  # HSTS preload: see SECURE_HSTS_PRELOAD above
]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The demo loader (demo.management.commands.load_demo) refuses to run unless this is on.
KASUHARA_DEMO = env.bool("KASUHARA_DEMO", default=DEBUG)
# A city that does without the 所属長 confirmation step switches it off (Oshu's way).
KASUHARA_CHIEF_CONFIRMATION = env.bool("KASUHARA_CHIEF_CONFIRMATION", default=True)
# Business days after 提出 within which the 相談窓口 accepts a case; later ones are 期限超過 in /queue/.
KASUHARA_ACCEPT_WITHIN_DAYS = env.int("KASUHARA_ACCEPT_WITHIN_DAYS", default=2)
# /stats/: in a view of one 課, counts under this are shown as 「N件未満」 (they could point at a person).
KASUHARA_STATS_MIN_CELL = env.int("KASUHARA_STATS_MIN_CELL", default=3)
# 所属長 per 課: "several" (課長 and 係長 alike hold the role) or "one" (one holder at a time; the
# admin and the 職員名簿 import refuse a second). A 代理 for a period is possible either way.
KASUHARA_SECTION_CHIEFS = env.str("KASUHARA_SECTION_CHIEFS", default="several")
if KASUHARA_SECTION_CHIEFS not in ("one", "several"):
    raise ImproperlyConfigured(
        "KASUHARA_SECTION_CHIEFS は one か several にしてください（KASUHARA_SECTION_CHIEFS must be one or several）。"
    )
# The 職員名簿 import (organization/roster.py): a row whose 役割 cell is empty (or a file without that
# column) gets 所属長 / 部長 when its 職名 is exactly one of these.
KASUHARA_ROSTER_CHIEF_TITLES = env.list("KASUHARA_ROSTER_CHIEF_TITLES", default=["課長", "室長", "所長", "館長", "センター長"])
KASUHARA_ROSTER_DIRECTOR_TITLES = env.list("KASUHARA_ROSTER_DIRECTOR_TITLES", default=["部長", "局長"])
# The committee's rules of procedure (committee/rules.py): the share of voting members that makes a
# quorum; "present" (a majority of the voting members present) or "cast" (more 賛成 than 反対);
# "chair" (the chair's casting vote decides a tie) or "reject" (a tie is rejected).
KASUHARA_COMMITTEE_QUORUM = env.str("KASUHARA_COMMITTEE_QUORUM", default="1/2")
KASUHARA_COMMITTEE_MAJORITY = env.str("KASUHARA_COMMITTEE_MAJORITY", default="present")
KASUHARA_COMMITTEE_TIE = env.str("KASUHARA_COMMITTEE_TIE", default="chair")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
