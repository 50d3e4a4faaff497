"""Training pages, open to every employee signed in."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import TrainingModule


@require_safe
@login_required
def index(request):
    return render(request, "actions/training/index.html", {"modules": TrainingModule.objects.filter(is_active=True)})


@require_safe
@login_required
def module(request, module):
    found = get_object_or_404(TrainingModule, slug=module, is_active=True)
    return render(request, "actions/training/module.html", {"module": found})
