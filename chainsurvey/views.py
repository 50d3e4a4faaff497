"""Landing page: sends each person to what their role is for."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from actions.pages import for_employee
from reports.selectors import cycles_with_results, default_cycle
from reports.visible import visible_cycles
from surveys import roles, selectors


@login_required
def home(request):
    user = request.user
    can_export = roles.can_download_results(user)
    sees_dashboards = roles.can_see_dashboards(user)
    manages = not sees_dashboards and roles.can_see_own_department(user)
    # The cycle the dashboard and "My department" open on: the latest whose results say something.
    latest = default_cycle(visible_cycles()) if (sees_dashboards or manages) else None
    department = user.employee.department if manages and roles.own_department_id(user) else None
    employee = selectors.employee_for_user(user=user)
    survey = selectors.home_survey(employee=employee) if employee is not None and employee.is_active else None
    return render(
        request,
        "home.html",
        {
            "export_cycles": cycles_with_results()[:8] if can_export else [],
            "sees_dashboards": sees_dashboards,
            "latest_cycle": latest,
            "own_department": department,
            "promises": for_employee(department_id=roles.own_department_id(user)),
            "survey": survey,
        },
    )
