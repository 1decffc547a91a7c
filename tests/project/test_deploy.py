"""What an IT section meets when it deploys: the compose file validates, production refuses the
default secret, settings come from the environment."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import require_or_fail

ROOT = Path(__file__).resolve().parents[2]


def compose_config(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT, env={"PATH": os.environ["PATH"], **env}, capture_output=True, text=True, timeout=60,
    )


def test_compose_file_is_accepted_by_the_validator():
    require_or_fail(shutil.which("docker-compose") is not None, "docker-compose (Debian package)")
    result = compose_config({"DJANGO_SECRET_KEY": "a-long-random-value", "POSTGRES_PASSWORD": "pw"})
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_secrets():
    require_or_fail(shutil.which("docker-compose") is not None, "docker-compose (Debian package)")
    result = compose_config({})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr or "POSTGRES_PASSWORD" in result.stderr


def test_compose_has_every_production_service_with_health_checks():
    text = (ROOT / "docker-compose.yml").read_text()
    for service in ("db:", "redis:", "web:", "worker:", "beat:"):
        assert f"\n  {service}" in text
    assert text.count("healthcheck:") >= 4
    assert "gunicorn" in text and "pgdata:" in text and "uploads:" in text


def _settings_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))}
    return subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','kasuhara.settings');"
         "django.setup(); from django.conf import settings as s;"
         "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND, s.KASUHARA_MAX_UPLOAD_MB)"],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60,
    )


def test_production_refuses_the_default_secret():
    result = _settings_check({"DJANGO_DEBUG": "false"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "django.db.backends.sqlite3 True django.core.mail.backends.console.EmailBackend 20"),
        (
            {"DATABASE_URL": "postgres://u@127.0.0.1:5432/x", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
             "EMAIL_URL": "smtp://mail.example:25", "KASUHARA_MAX_UPLOAD_MB": "5"},
            "django.db.backends.postgresql False django.core.mail.backends.smtp.EmailBackend 5",
        ),
    ],
)
def test_settings_follow_the_environment(env, expected, tmp_path):
    result = _settings_check({"KASUHARA_VAR_DIR": str(tmp_path), **env})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


#: What a city's production environment sets (docker-compose.yml): no DEBUG, a real secret, its
#: host, behind the TLS proxy.
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k7Qz-production-secret-0f9d8c7b6a5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8",
    "DJANGO_ALLOWED_HOSTS": "kasuhara.city.example",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://kasuhara.city.example",
    "DJANGO_BEHIND_TLS_PROXY": "true",
}


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    """``manage.py check --deploy`` with the production environment: no warning at all (HSTS, the
    https redirect, secure cookies, the secret, DEBUG off, hosts)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_", "KASUHARA_"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT, env={**clean, **PRODUCTION, "KASUHARA_VAR_DIR": str(tmp_path)},
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout


def _security_settings(env: dict[str, str]) -> str:
    result = _settings_check_code(
        env, "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, s.SESSION_COOKIE_SECURE)")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _settings_check_code(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "CELERY_"))}
    return subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','kasuhara.settings');"
         "django.setup(); from django.conf import settings as s;" + code],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60,
    )


def test_https_settings_follow_the_tls_environment(tmp_path):
    """Behind the TLS proxy: redirect to https, HSTS for a year, the proxy's header believed, secure
    cookies. Without TLS (the demo on http://127.0.0.1): none of it, or the demo could not be used.
    DJANGO_HSTS_SECONDS=0 switches HSTS off (a city trying https out first)."""
    var = {"KASUHARA_VAR_DIR": str(tmp_path)}
    assert _security_settings({**var, **PRODUCTION}) == "True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https') True"
    assert _security_settings({**var, **PRODUCTION, "DJANGO_HSTS_SECONDS": "0"}).startswith("True 0 ")
    assert _security_settings(var) == "False 0 None False"
    direct = {**var, **PRODUCTION, "DJANGO_BEHIND_TLS_PROXY": "false", "DJANGO_HTTPS": "true"}
    assert _security_settings(direct) == "True 31536000 None True"
