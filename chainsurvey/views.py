"""Landing page: sends each person to what their role is for."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from reports.selectors import cycles_with_results
from surveys.roles import EXPORT_RESULTS


@login_required
def home(request):
    can_export = request.user.has_perm(EXPORT_RESULTS)
    return render(request, "home.html", {"export_cycles": cycles_with_results()[:8] if can_export else []})
