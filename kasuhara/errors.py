"""The 400 answer: a Japanese page, saying what was wrong when we know it in words a user reads.

Code that refuses a malformed request raises ``BadInput`` with a Japanese message; any other bad
request (Django's own checks) gets the general text, never a technical detail.
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
