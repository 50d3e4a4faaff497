"""Names come from HR files: a department or a person called `{% debug %}`, `{{ request }}` or
`<img src=x onerror=alert(1)>` shows as that text on every page, never as template code or markup.

(The browser test `tests/browser/test_hostile_names.py` checks that nothing runs.)
"""

import pytest
from django.utils.html import escape

from surveys.models import Draft, Participation
from surveys.roles import Role
from tests.factories import DepartmentFactory, EmployeeFactory, OpenCycleFactory

pytestmark = pytest.mark.django_db

HOSTILE = ("{% debug %}", "{{ request }}", "<img src=x onerror=alert(1)>")
# What each name turns into if a template runs it or a browser parses it as markup.
EXECUTED = ("<module '", "&lt;module &#x27;", "WSGIRequest", "ASGIRequest", "<img src=x")


def hostile_company():
    """An Executive Office, three departments and three people named after HOSTILE; an open cycle."""
    eo = DepartmentFactory(name="Executive Office", slug="executive-office", is_executive_office=True)
    departments = [DepartmentFactory(name=name, slug=f"hostile-{i}") for i, name in enumerate(HOSTILE)]
    people = [
        EmployeeFactory(department=departments[i], user__full_name=name, user__email=f"h{i}@example.com")
        for i, name in enumerate(HOSTILE)
    ]
    hr = EmployeeFactory(
        department=departments[2], role=Role.HR, user__full_name=HOSTILE[1], user__email="hr@example.com"
    )
    return {"eo": eo, "departments": departments, "people": people, "hr": hr, "cycle": OpenCycleFactory()}


def assert_shown_as_text(html: str, names=HOSTILE):
    for name in names:
        assert escape(name) in html, f"{name!r} is not on the page as text"
    for trace in EXECUTED:
        assert trace not in html, f"a hostile name ran: {trace!r} is on the page"


@pytest.fixture
def company():
    return hostile_company()


def test_survey_screener_ratings_errors_and_done_pages_show_hostile_names_as_text(client, company):
    person = company["people"][0]
    client.force_login(person.user)
    assert_shown_as_text(client.get("/survey/").content.decode())  # screener: the others as checkboxes

    providers = [company["eo"].id, *(d.id for d in company["departments"])]
    draft = Draft.objects.create(employee=person, cycle=company["cycle"], providers=providers)
    ratings = client.get("/survey/").content.decode()
    assert_shown_as_text(ratings)
    assert ratings.count(f"I did not deal with {escape(HOSTILE[2])} after all") == 1

    # Submitting nothing: every section's error message names its department.
    form = {"cycle": company["cycle"].name, "draft": str(draft.pk), "action": "submit", "confirm": "1"}
    errors = client.post("/survey/", form).content.decode()
    assert f"Rate {escape(HOSTILE[1])} on at least one dimension" in errors
    assert_shown_as_text(errors)

    skipped = {f"p{pk}-skip": "on" for pk in providers}
    assert client.post("/survey/", {**form, **skipped}).status_code == 302
    assert Participation.objects.filter(employee=person).exists()
    assert_shown_as_text(client.get("/survey/").content.decode(), names=[HOSTILE[0]])  # done: the person's name


def test_home_shows_a_hostile_person_name_as_text(client, company):
    client.force_login(company["hr"].user)
    assert_shown_as_text(client.get("/").content.decode(), names=[HOSTILE[1]])


def test_admin_pages_of_departments_and_people_show_hostile_names_as_text(client, company):
    person = company["people"][2]
    Participation.objects.create(employee=person, cycle=company["cycle"], department=person.department)
    client.force_login(company["hr"].user)
    departments = company["departments"]
    pages = {
        "/admin/": [],  # the index greets the signed-in person by a short name
        "/admin/surveys/department/": HOSTILE,
        "/admin/surveys/employee/": HOSTILE,
        "/admin/surveys/participation/": [HOSTILE[2]],
        **{f"/admin/surveys/department/{d.pk}/change/": [d.name] for d in departments},
    }
    for url, names in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert_shown_as_text(response.content.decode(), names)
    for employee in company["people"]:
        html = client.get(f"/admin/surveys/employee/{employee.pk}/change/").content.decode()
        assert_shown_as_text(html, names=[employee.user.full_name])  # the department is a select: named too
