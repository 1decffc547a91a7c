"""The headers a city's security policy asks for (issue 14, "Headers and pages"): a strict
Content-Security-Policy on every page, ``Cache-Control: no-store`` on everything a signed-in user is
sent (pages, evidence, exports), Permissions-Policy, Referrer-Policy, nosniff, COOP, and HSTS with
the redirect to https when the site is behind TLS.

The browser side of the policy (no page breaks under it) is checked by
``tests/e2e/test_accessibility.py``, which fails on any CSP violation Chromium reports; here the
markup itself is read: no inline script, no event-handler attribute, no ``style`` attribute, and
every ``<style>`` element carries the nonce of its answer's header."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from tests.e2e.pages import pages_for, prepare_demo, report_url

STRICT = {
    "default-src": "'self'", "script-src": "'self'", "img-src": "'self' data:", "font-src": "'self'",
    "connect-src": "'self'", "form-action": "'self'", "frame-ancestors": "'none'", "base-uri": "'none'",
    "object-src": "'none'",
}

#: A script element without ``src`` (data blocks, ``type="application/json"``, are not scripts).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\s(?:src=|type=\"application/json\"))[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b([^>]*)>", re.I)


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: (part[1] if len(part) > 1 else "") for part in parts}


def assert_strict_policy(response) -> None:
    policy = directives(response["Content-Security-Policy"])
    for name, value in STRICT.items():
        assert policy.get(name) == value, (name, policy)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    style = policy["style-src"].split()
    assert style[0] == "'self'" and all(source.startswith("'nonce-") for source in style[1:]), style


def assert_no_inline_code(response) -> None:
    html = response.content.decode()
    assert not INLINE_SCRIPT.findall(html)
    assert not EVENT_HANDLER.findall(html)
    assert not STYLE_ATTRIBUTE.findall(html)
    nonces = re.findall(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    for attributes in STYLE_ELEMENT.findall(html):
        assert nonces and f'nonce="{nonces[0]}"' in attributes, attributes


def assert_never_stored(response) -> None:
    assert "no-store" in response["Cache-Control"], response["Cache-Control"]
    assert "max-age=" not in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert response["Pragma"] == "no-cache"


@pytest.mark.django_db
def test_every_page_the_desk_opens_is_never_stored_and_carries_a_strict_policy():
    """Every page of ``tests/e2e/pages.py`` the 相談窓口 may open (the statistics with their charts,
    the committee's minutes, the print pages, the admin's none): never stored, strict CSP, and no
    inline code the policy would refuse."""
    call_command("load_demo", stdout=__import__("io").StringIO())
    prepare_demo()
    from organization.models import User

    client = Client()
    client.force_login(User.objects.get(username="desk"))
    checked = 0
    for page in pages_for("desk"):
        if page.then:
            continue
        response = client.get(page.url())
        assert response.status_code == page.status, page.name
        assert_never_stored(response)
        assert_strict_policy(response)
        assert_no_inline_code(response)
        assert response["Permissions-Policy"].startswith("accelerometer=()"), page.name
        checked += 1
    assert checked > 40


@pytest.mark.django_db
def test_the_charts_keep_their_style_through_the_nonce(client_as):
    """The statistics page draws its charts as inline SVG; their ``<style>`` has the answer's
    nonce (a fresh one on every answer), so the browser applies it under the policy."""
    call_command("load_demo", stdout=__import__("io").StringIO())
    prepare_demo()
    client = client_as("desk")
    first, second = client.get("/stats/"), client.get("/stats/")
    assert first.status_code == 200
    assert b"<svg" in first.content and b"<style nonce=" in first.content
    assert_no_inline_code(first)
    assert first["Content-Security-Policy"] != second["Content-Security-Policy"]


@pytest.mark.django_db
def test_evidence_downloads_and_exports_are_never_stored(client_as, users):
    call_command("load_demo", stdout=__import__("io").StringIO())
    from incidents.models import Attachment

    report_path = report_url("電話で「馬鹿野郎」と怒鳴られた")()
    report_id = int(re.search(r"/(\d+)/", report_path).group(1))
    from incidents.models import IncidentReport

    report = IncidentReport.objects.get(pk=report_id)
    attachment = Attachment(report=report, uploaded_by=report.reporter, uploaded_at=timezone.now(),
                            original_name="photo.png", content_type="image/png", kind="image", size=4)
    attachment.file.save("photo.png", ContentFile(b"\x89PNG"), save=False)
    attachment.save()
    client = client_as("desk")
    download = client.get(f"/reports/evidence/{attachment.pk}/")
    assert download.status_code == 200
    assert_never_stored(download)
    export = client.get("/queue/export/file/?tab=all&columns=no&format=csv")
    assert export.status_code == 200
    assert_never_stored(export)


@pytest.mark.django_db
def test_the_sign_in_page_has_the_policy_and_the_other_headers(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert_strict_policy(response)
    assert_no_inline_code(response)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in response["Permissions-Policy"]
    assert "clipboard-write" not in response["Permissions-Policy"]  # the live record copies its text


@pytest.mark.django_db
def test_static_files_keep_their_cache_for_a_signed_in_user(client_as):
    """Bootstrap and our CSS hold no personal data: they are not marked no-store."""
    response = client_as("desk").get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "Pragma" not in response


@pytest.mark.django_db
def test_the_admin_keeps_working_under_the_policy(client_as):
    """Django's admin uses its own script files; a change list without actions is the one admin page
    with an inline ``<style>``, which the demo's admin does not have."""
    response = client_as("admin").get("/admin/organization/user/")
    assert response.status_code == 200
    assert_strict_policy(response)
    assert_no_inline_code(response)
    assert_never_stored(response)


@pytest.mark.django_db
def test_behind_tls_plain_http_is_redirected_and_https_gets_hsts(client):
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000,
                           SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_REDIRECT_EXEMPT=[r"^healthz$"]):
        plain = Client().get("/accounts/login/")
        assert plain.status_code == 301
        assert plain["Location"] == "https://testserver/accounts/login/"
        secure = Client().get("/accounts/login/", secure=True)
        assert secure.status_code == 200
        assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        # The container's own health probe speaks plain http inside the network.
        assert Client().get("/healthz").status_code in (200, 503)
