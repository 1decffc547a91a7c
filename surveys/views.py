"""Thin views of the staff survey: ask the policy, build the form, make one service call, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from . import policies, selectors, services
from .forms import NAMES_WARNING, AnswerForm


@login_required
@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    """The open surveys (answered or not) and, for those who read results, every survey so far."""
    user = request.user
    return render(request, "surveys/list.html", {
        "open": list(selectors.open_surveys(user)),
        "results": list(selectors.started_surveys()) if policies.can_view_results(user) else None,
    })


def _answer_page(request: HttpRequest, survey, form: AnswerForm | None, *, status: int = 200,
                 refusal: str = "") -> HttpResponse:
    return render(request, "surveys/answer.html", {
        "survey": survey, "form": form, "refusal": refusal, "names_warning": NAMES_WARNING,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    survey = policies.get_started_survey(pk)
    if not policies.can_answer(user, survey):
        refusal = str(services.NotOpen(survey).messages[0])
        return _answer_page(request, survey, None, status=200 if request.method == "GET" else 400, refusal=refusal)
    if selectors.has_answered(user, survey):
        return _answer_page(request, survey, None, status=200 if request.method == "GET" else 409,
                            refusal=str(services.AlreadyAnswered().messages[0]))
    questions = list(survey.questions.prefetch_related("choices"))
    if request.method == "GET":
        return _answer_page(request, survey, AnswerForm(survey=survey, questions=questions))
    form = AnswerForm(request.POST, survey=survey, questions=questions)
    if not form.is_valid():
        return _answer_page(request, survey, form, status=400)
    try:
        services.answer(survey=survey, actor=user, answers=form.answers())
    except PermissionDenied:
        raise Http404 from None
    except services.AlreadyAnswered as error:
        return _answer_page(request, survey, None, status=409, refusal=str(error.messages[0]))
    except services.NotOpen as error:
        return _answer_page(request, survey, None, status=400, refusal=str(error.messages[0]))
    except ValidationError as error:
        form.add_error(None, error)
        return _answer_page(request, survey, form, status=400)
    return redirect("surveys:thanks", survey.pk)


@login_required
@require_GET
def thanks(request: HttpRequest, pk: int) -> HttpResponse:
    survey = policies.get_started_survey(pk)
    if not selectors.has_answered(request.user, survey):
        raise Http404
    return render(request, "surveys/thanks.html", {"survey": survey})


@login_required
@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    survey = policies.get_survey_for_results(user, pk)
    free_text = policies.can_read_free_text(user)
    result = selectors.results(survey, with_texts=free_text)
    return render(request, "surveys/results.html", {
        "result": result,
        "tables": result.tables(),
        "free_text": free_text,
        "is_open": survey.is_open_on(timezone.localdate()),
    })
