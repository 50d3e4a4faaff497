"""Survey pages: parse the request, call one service or selector, render."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def survey(request):
    return render(request, "surveys/survey.html", {})
