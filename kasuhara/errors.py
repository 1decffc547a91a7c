"""Error answers. The 400 answer: a Japanese page, saying what was wrong when we know it in words a user reads.

Code that refuses a malformed request raises ``BadInput`` with a Japanese message; any other bad
request (Django's own checks) gets the general text, never a technical detail.
The other error pages are templates (``templates/403.html`` …, on ``templates/error_base.html``)
rendered by Django's own handlers; the CSRF failure and the 429 page are below.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class BadInput(BadRequest):
    """A malformed request, refused with a message meant for the user."""


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if isinstance(exception, BadInput) else ""
    return render(request, "400.html", {"message": message}, status=400)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the form's token went stale (a page left open too long, a sign-in in
    another tab). Nothing of the refused request can be kept here; the page says so, and Django's
    reason (technical) is not shown."""
    return render(request, "csrf_failure.html", status=403)


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """The 429 page for a refusal that has no more precise message of its own."""
    return render(request, "429.html", status=429)
