"""The project's addresses plus ``/bench/minimal/``: the baseline every page is compared with."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from kasuhara.urls import urlpatterns as project_urlpatterns


@login_required
def minimal(request: HttpRequest) -> HttpResponse:
    """A minimal logged-in Django page: the same middleware (session, user), no query of our own."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench-minimal"),
    *project_urlpatterns,
]
