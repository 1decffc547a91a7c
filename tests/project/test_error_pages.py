"""The error pages (issue 14): Japanese 400 / 403 / 404 / 429 / 500 and CSRF-failure pages, as a
production site (``DEBUG=False``) answers, that say what happened and what to do, and reveal nothing:
not the address asked for, not the exception's text, not Django's technical reason.

Some errors need a page that raises; this module is also the URLconf of those tests (the product's
own addresses plus a few that raise), used with ``override_settings(ROOT_URLCONF=__name__)``."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, override_settings
from django.urls import path

from kasuhara import errors
from kasuhara.urls import urlpatterns as product_urlpatterns

SECRET = "secret-detail-4711"


def _raise(exception: Exception):
    def view(request):
        raise exception

    return view


urlpatterns = [
    path("_test/forbidden/", _raise(PermissionDenied(SECRET))),
    path("_test/crash/", _raise(RuntimeError(SECRET))),
    path("_test/bad-input/", _raise(errors.BadInput("経過の記録が多すぎます。"))),
    path("_test/suspicious/", _raise(SuspiciousOperation(SECRET))),
    path("_test/throttled/", errors.too_many_requests),
    *product_urlpatterns,
]
handler400 = "kasuhara.errors.bad_request"

raising_urls = override_settings(ROOT_URLCONF=__name__)


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def text(response) -> str:
    return response.content.decode()


def assert_reveals_nothing(response, *also: str) -> None:
    body = text(response)
    for secret in (SECRET, "Traceback", "Exception", "_test/", "csrf", "CSRF", "Django", *also):
        assert secret not in body, secret
    assert response["Content-Type"].startswith("text/html")
    assert '<html lang="ja">' in body


@pytest.mark.django_db
def test_an_unknown_address_gets_the_japanese_404_without_the_address(client_as):
    response = client_as("staff").get(f"/reports/{SECRET}/<b>x</b>/")
    assert response.status_code == 404
    assert "ページが見つかりません" in text(response)
    assert "ホームへ" in text(response)
    assert_reveals_nothing(response, "&lt;b&gt;")
    assert "no-store" in response["Cache-Control"]  # a signed-in user's answer, as every other


@pytest.mark.django_db
def test_the_404_for_someone_not_signed_in_shows_no_user(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in text(response)
    assert "ログアウト" not in text(response)
    assert "Content-Security-Policy" in response


@raising_urls
@pytest.mark.django_db
def test_a_refused_page_gets_the_japanese_403_without_the_reason(client_as):
    response = client_as("staff").get("/_test/forbidden/")
    assert response.status_code == 403
    assert "このページを表示する権限がありません" in text(response)
    assert_reveals_nothing(response)


@raising_urls
@pytest.mark.django_db
def test_a_crash_gets_the_japanese_500_without_the_exception():
    client = Client(raise_request_exception=False)
    response = client.get("/_test/crash/")
    assert response.status_code == 500
    assert "システムでエラーが発生しました" in text(response)
    assert_reveals_nothing(response, "RuntimeError")


def test_the_500_page_needs_no_database_and_no_request_user(rf):
    """Django renders 500.html with an empty context; a broken database must not break it too. (No
    ``django_db`` mark: pytest-django refuses any database access here, so a query would fail.)"""
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "システムでエラーが発生しました" in response.content.decode()


@raising_urls
@pytest.mark.django_db
def test_a_bad_request_keeps_its_japanese_message_and_hides_a_technical_one(client_as):
    client = client_as("staff")
    told = client.get("/_test/bad-input/")
    assert told.status_code == 400
    assert "経過の記録が多すぎます。" in text(told)
    hidden = client.get("/_test/suspicious/")
    assert hidden.status_code == 400
    assert "送信された内容の形式が正しくありません。" in text(hidden)
    assert_reveals_nothing(hidden)


@pytest.mark.django_db
def test_a_stale_form_gets_the_japanese_csrf_page(users):
    """A form sent without a valid token (a page left open too long): 403, what to do, and honestly
    that what was sent is not kept; Django's reason (「CSRF cookie not set」) is not shown."""
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "staff", "password": "kasuhara-demo"})
    assert response.status_code == 403
    body = text(response)
    assert "画面の有効期限が切れました" in body
    assert "保存されていません" in body and "再読み込み" in body
    assert_reveals_nothing(response, "cookie", "token")


@raising_urls
@pytest.mark.django_db
def test_too_many_requests_gets_the_japanese_429(client_as):
    response = client_as("staff").get("/_test/throttled/")
    assert response.status_code == 429
    assert "操作の回数が多すぎます" in text(response)
    assert_reveals_nothing(response)
