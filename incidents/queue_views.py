"""The consultation queue (/queue/): the 相談窓口's list of cases, and the 所属長's and 部長's."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import policies
from . import queue as queue_selector


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Tabs by state with counts, filters in the URL, one page of 50 cases with their age."""
    if not policies.can_use_queue(request.user):
        raise Http404
    built = queue_selector.build_queue(request.user, request.GET)
    if built.user_section is not None:
        # base.html shows the user's 課: already read with the queue's lookups, not once more.
        request.user.section = built.user_section
    return render(request, "incidents/queue.html", {
        "queue": built,
        "form": built.form,
        "ignored_note": queue_selector.ignored_note(built.ignored) if built.ignored else "",
    })
