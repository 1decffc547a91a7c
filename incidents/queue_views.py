"""The consultation queue (/queue/): filled by the queue work."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    raise Http404
