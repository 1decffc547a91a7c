"""Reading the manual: home, 態様 pages, the during-an-incident view, chapters, search, print.

Staff read the newest published edition. An admin may add ``?draft=1`` to preview the working
rows before publishing.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .models import CitySettings, Contact, Scene
from .policies import may_preview_draft


def _context(request: HttpRequest) -> dict:
    draft = request.GET.get("draft") == "1" and may_preview_draft(request.user)
    city = CitySettings.load()
    return {
        "content": selectors.manual_content(draft=draft),
        "draft": draft,
        "city": city,
        "placeholders": city.placeholders(),
    }


@login_required
@require_GET
def manual_home(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    scenes = {label: [s for s in ctx["content"]["scenes"] if s["scene"] == value] for value, label in Scene.choices}
    return render(request, "manual/home.html", {**ctx, "scenes_by_kind": scenes})


def _type_or_404(ctx: dict, code: str) -> dict:
    harassment_type = selectors.type_by_code(ctx["content"], code)
    if harassment_type is None:
        raise Http404
    return harassment_type


@login_required
@require_GET
def type_detail(request: HttpRequest, code: str) -> HttpResponse:
    ctx = _context(request)
    harassment_type = _type_or_404(ctx, code)
    see_also = [t for t in ctx["content"]["types"] if t["code"] in harassment_type["see_also"]]
    return render(request, "manual/type_detail.html", {
        **ctx,
        "type": harassment_type,
        "see_also": see_also,
        "scenes": selectors.scenes_for(ctx["content"], code),
    })


@login_required
@require_GET
def type_live(request: HttpRequest, code: str) -> HttpResponse:
    """対応中: large text, steps as a checklist, one-tap phrases, the police script, the 30-minute timer."""
    ctx = _context(request)
    harassment_type = _type_or_404(ctx, code)
    script = selectors.personal_call_script(ctx["content"], ctx["placeholders"], request.user)
    return render(request, "manual/type_live.html", {**ctx, "type": harassment_type, "call_script": script})


@login_required
@require_GET
def chapter_detail(request: HttpRequest, slug: str) -> HttpResponse:
    ctx = _context(request)
    chapter = selectors.chapter_by_slug(ctx["content"], slug)
    if chapter is None:
        raise Http404
    return render(request, "manual/chapter_detail.html", {
        **ctx, "chapter": chapter, "contacts": Contact.objects.all() if slug == "reporting" else [],
    })


@login_required
@require_GET
def manual_search(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    query = request.GET.get("q", "")[:100]
    hits = selectors.search(ctx["content"], query, ctx["placeholders"])
    return render(request, "manual/search.html", {**ctx, "query": query, "hits": hits})


@login_required
@require_GET
def manual_print(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    return render(request, "manual/print.html", {**ctx, "contacts": Contact.objects.all()})
