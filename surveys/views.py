"""The survey page /survey/: parse the request, call one service or selector, render.

One URL walks an employee through their survey for the open cycle: the screener (which
departments they dealt with), then the ratings (save and finish later, or submit), then a
confirmation. Every refusal renders a page that says why; nothing half-done is written.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import selectors
from .dimensions import SELF_VIEW_SECTIONS
from .forms import ScreenerForm, SurveyForm, initial_values
from .models import Cycle, Draft, Employee
from .services.survey import AlreadySubmitted, CycleNotOpen, SurveyRefused, draft_save, survey_submit

TEMPLATE_SCREENER = "surveys/screener.html"
TEMPLATE_SURVEY = "surveys/survey.html"
TEMPLATE_CONFIRM = "surveys/confirm.html"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest) -> HttpResponse:
    employee = selectors.employee_for_user(user=request.user)
    if employee is None or not employee.is_active:
        return render(request, "surveys/not_in_org.html", status=403)
    cycle, state = selectors.open_cycle_and_state(employee=employee)
    posting = request.method == "POST"
    if cycle is None or not cycle.accepts_answers or (posting and request.POST.get("cycle") != cycle.name):
        return _closed(request, cycle=cycle, refused=posting)
    if state.participation is not None:
        if posting:
            messages.error(request, f"You already submitted your survey for {cycle.name}: it cannot be changed.")
        return render(
            request,
            "surveys/done.html",
            {"cycle": cycle, "participation": state.participation},
            status=409 if posting else 200,
        )
    if posting and request.POST.get("draft", "") != (str(state.draft.pk) if state.draft else ""):
        return render(
            request,
            "surveys/refused.html",
            {"message": "This form belongs to someone else's survey, or to an older copy of yours: nothing was saved."},
            status=403,
        )

    choices = selectors.provider_choices(employee=employee)
    wants_screener = request.GET.get("step") == "departments" or request.POST.get("step") == "departments"
    if state.draft is None or wants_screener:
        return _screener(request, employee=employee, cycle=cycle, draft=state.draft, choices=choices)
    return _ratings(request, employee=employee, cycle=cycle, draft=state.draft, choices=choices)


def _closed(request: HttpRequest, *, cycle: Cycle | None, refused: bool) -> HttpResponse:
    return render(request, "surveys/closed.html", {"cycle": cycle, "refused": refused}, status=409 if refused else 200)


def _screener(
    request: HttpRequest, *, employee: Employee, cycle: Cycle, draft: Draft | None, choices: selectors.ProviderChoices
) -> HttpResponse:
    kwargs = {
        "choices": choices,
        "own_department_id": employee.department_id,
        "rates_own_management": employee.rates_own_management,
    }
    if request.method == "POST":
        form = ScreenerForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                draft_save(employee=employee, cycle=cycle, providers=form.chosen_ids())
            except AlreadySubmitted:
                return redirect("surveys:survey")
            except SurveyRefused as exc:
                form.add_error(None, exc)
            else:
                return redirect("surveys:survey")
    else:
        chosen = set(draft.providers) if draft else set()
        form = ScreenerForm(initial={"providers": [p.id for p in choices.optional if p.id in chosen]}, **kwargs)
    context = {"cycle": cycle, "draft": draft, "form": form, "choices": choices}
    return render(request, TEMPLATE_SCREENER, context, status=400 if form.is_bound and form.errors else 200)


def _ratings(
    request: HttpRequest, *, employee: Employee, cycle: Cycle, draft: Draft, choices: selectors.ProviderChoices
) -> HttpResponse:
    sections = selectors.survey_sections(choices=choices, chosen_ids=draft.providers)
    kwargs = {
        "sections": sections,
        "dimensions": selectors.survey_dimensions(),
        "own_department_id": employee.department_id,
        "rates_own_management": employee.rates_own_management,
    }
    status = 200
    if request.method == "POST":
        submitting = request.POST.get("action") == "submit"
        form = SurveyForm(request.POST, completing=submitting, **kwargs)
        if form.is_valid():
            try:
                # Submitting is final: only the confirmation page's POST (confirm=1) submits; the
                # first press saves the draft and asks.
                if submitting and request.POST.get("confirm") == "1":
                    survey_submit(
                        employee=employee, draft=draft, responses=form.responses(), self_views=form.self_views()
                    )
                    return redirect("surveys:survey")
                draft = draft_save(employee=employee, cycle=cycle, answers=form.draft_answers())
                if submitting:
                    return _confirm(request, cycle=cycle, draft=draft, form=form, sections=sections)
                messages.success(
                    request,
                    "Your answers are saved. Come back to this page any time"
                    + (f" until {cycle.closes_on:%-d %B %Y}" if cycle.closes_on else "")
                    + " to finish.",
                )
                return redirect("surveys:survey")
            except AlreadySubmitted:
                return redirect("surveys:survey")
            except CycleNotOpen:
                return _closed(request, cycle=cycle, refused=True)
            except SurveyRefused as exc:
                form.add_error(None, exc)
        status = 400 if form.tampered else 200
        answers = form.sent_answers()
    else:
        answers = draft.keyed_answers
        form = SurveyForm(initial=initial_values(answers), **kwargs)
    done, total = selectors.survey_progress(sections=sections, answers=answers)
    context = {
        "cycle": cycle,
        "draft": draft,
        "form": form,
        "sections": sections,
        "progress_done": done,
        "progress_total": total,
    }
    return render(request, TEMPLATE_SURVEY, context, status=status)


def _confirm(
    request: HttpRequest, *, cycle: Cycle, draft: Draft, form: SurveyForm, sections: list[selectors.Provider]
) -> HttpResponse:
    """The confirmation step: what is about to be submitted, and a form that sends the same answers
    again with confirm=1. The answers are in the draft already: leaving here loses nothing."""
    answers = form.draft_answers()
    context = {
        "cycle": cycle,
        "draft": draft,
        "summary": selectors.submission_summary(sections=sections, answers=answers),
        "self_view_answers": sum(key in SELF_VIEW_SECTIONS for key, _ in answers),
        "fields": _hidden_fields(answers),
    }
    return render(request, TEMPLATE_CONFIRM, context)


def _hidden_fields(answers) -> list[tuple[str, object]]:
    """The answers as the ratings form names them, for the confirmation's hidden inputs."""
    return [(name, "on" if value is True else value) for name, value in initial_values(answers).items()]
