"""The survey in a real browser: fill in, save, resume and submit; no serious a11y violation."""

import os
import re
from pathlib import Path

import pytest

from surveys.models import Ballot, Draft, Participation
from tests.factories import DepartmentFactory, EmployeeFactory, OpenCycleFactory

from .conftest import DESKTOP, PHONE, serious_violations, sign_in

FINAL = "Submitting is final: you cannot change your answers afterwards."


@pytest.fixture
def company():
    eo = DepartmentFactory(name="Executive Office", slug="executive-office", is_executive_office=True)
    sales = DepartmentFactory(name="Sales", slug="sales")
    others = [DepartmentFactory(name=name) for name in ("IT", "Finance", "Logistics", "Customer Care")]
    person = EmployeeFactory(department=sales, user__email="emma@example.com", user__full_name="Emma Stone")
    cycle = OpenCycleFactory(name="2026-Q4")
    return {"eo": eo, "sales": sales, "others": others, "employee": person, "cycle": cycle}


def submit(page, button):
    """Press a submit button and wait until the next page has loaded (styles included)."""
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=button).click()


def choose(page, provider, question, word):
    """Click the button showing `word` (under its score: "4 Good") in the provider's question."""
    button = re.compile(rf"^(\d )?{re.escape(word)}$")
    page.get_by_role("group", name=f"{provider} — {question}").get_by_text(button).click()


def rate_all(page, provider, word="Good", expected="High"):
    for question in ("Willingness to help", "Ownership", "Responsiveness", "Reliability", "Courtesy", "Communication"):
        choose(page, provider, question, word)
    choose(page, provider, "What you expected", expected)


def test_employee_fills_in_saves_resumes_and_submits_the_survey(new_page, live_server, company, tmp_path):
    page = new_page(DESKTOP)
    sign_in(page, live_server, "emma@example.com")
    page.goto(f"{live_server.url}/survey/")
    assert page.get_by_role("heading", name="Which departments did you deal with this quarter?").is_visible()
    page.get_by_label("IT", exact=True).check()
    page.get_by_label("Finance", exact=True).check()
    submit(page, "Continue to the questions")

    assert page.get_by_text("0 of 4").first.is_visible()
    rate_all(page, "Executive Office", "Excellent", "Very high")
    page.get_by_label("Comment for Executive Office (optional)").fill("Clear priorities this quarter.")
    choose(page, "Your management (Sales)", "Courtesy", "Poor")
    assert page.get_by_text("1 of 4").first.is_visible()
    page.screenshot(path=tmp_path / "survey-desktop.png", full_page=True)
    submit(page, "Save and finish later")
    assert page.get_by_text("Your answers are saved").is_visible()

    # Come back later: the draft is restored.
    page.goto(f"{live_server.url}/survey/")
    assert page.get_by_role("group", name="Executive Office — Courtesy").get_by_label("5 Excellent").is_checked()
    comment = page.get_by_label("Comment for Executive Office (optional)")
    assert comment.input_value() == "Clear priorities this quarter."

    # Submitting with a section unfinished shows the error next to it and keeps what was chosen.
    submit(page, "Submit my answers")
    missing = "Tell us what level of service you expected from Your management (Sales)."
    assert page.get_by_text(missing).first.is_visible()
    assert page.get_by_role("group", name="Your management (Sales) — Courtesy").get_by_label("2 Poor").is_checked()
    assert Participation.objects.count() == 0

    choose(page, "Your management (Sales)", "What you expected", "Moderate")
    rate_all(page, "IT", "Acceptable")
    page.get_by_label("I did not deal with Finance after all").check()
    assert page.locator(f"#section-{company['others'][1].id}-body").is_hidden()
    assert page.get_by_text("4 of 4").first.is_visible()
    submit(page, "Submit my answers")

    # Submitting is final: the page asks first, with what is about to be sent.
    assert page.get_by_role("heading", name=FINAL).is_visible()
    assert page.get_by_text("16 answers about 3 departments, with 1 comment").is_visible()
    page.screenshot(path=tmp_path / "confirm.png", full_page=True)
    assert Participation.objects.count() == 0
    submit(page, "Yes, submit my answers")

    assert page.get_by_role("heading", name="Thank you: your survey for 2026-Q4 is in").is_visible()
    assert page.get_by_role("heading", name="What happens next").is_visible()
    page.screenshot(path=tmp_path / "done.png", full_page=True)
    assert Participation.objects.count() == 1
    ballot = Ballot.objects.get()  # sealed in the ballot box until a batch of the department is full
    assert len(ballot.answers) == 7 + 2 + 7
    assert [text for _, text in ballot.comments] == ["Clear priorities this quarter."]
    assert not Draft.objects.exists()
    assert page.get_by_role("button", name="Submit my answers").count() == 0


def test_survey_works_on_a_phone(new_page, live_server, company, tmp_path):
    page = new_page(PHONE, is_mobile=True, has_touch=True)
    sign_in(page, live_server, "emma@example.com")
    page.goto(f"{live_server.url}/survey/")
    page.screenshot(path=tmp_path / "screener-phone.png", full_page=True)
    submit(page, "Continue to the questions")
    rate_all(page, "Executive Office", "Good", "High")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=tmp_path / "survey-phone-top.png")
    page.get_by_role("group", name="Executive Office — Reliability").scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / "survey-phone.png")
    # Nothing runs off the side of a 390 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_login_and_survey_pages_have_no_serious_accessibility_violation(
    new_page, live_server, company, viewport, tmp_path
):
    page = new_page(viewport)
    page.goto(f"{live_server.url}/accounts/login/")
    assert serious_violations(page) == []
    page.get_by_label("Email address").fill("emma@example.com")
    page.get_by_label("Password").fill("wrong password")
    submit(page, "Sign in")
    assert serious_violations(page) == []  # the login page with its error
    sign_in(page, live_server, "emma@example.com")
    page.goto(f"{live_server.url}/survey/")
    assert serious_violations(page) == []  # the screener
    submit(page, "Continue to the questions")
    assert serious_violations(page) == []  # the ratings
    submit(page, "Submit my answers")
    page.screenshot(path=tmp_path / "errors.png")
    assert serious_violations(page) == []  # the ratings with errors


def test_survey_works_without_javascript(new_page, live_server, company):
    page = new_page(DESKTOP, java_script_enabled=False)
    sign_in(page, live_server, "emma@example.com")
    page.goto(f"{live_server.url}/survey/")
    submit(page, "Continue to the questions")
    rate_all(page, "Executive Office", "Good", "High")
    # Without the script nothing is folded away: ticking the box is enough for the server.
    page.get_by_label("I did not deal with Your management (Sales) after all").check()
    submit(page, "Save and finish later")
    assert page.get_by_text("2 of 2").first.is_visible()  # progress computed by the server
    assert page.get_by_label("I did not deal with Your management (Sales) after all").is_checked()
    submit(page, "Submit my answers")
    submit(page, "Yes, submit my answers")
    assert page.get_by_role("heading", name="Thank you: your survey for 2026-Q4 is in").is_visible()
    assert len(Ballot.objects.get().answers) == 7


LABEL_LOOKS = """(group) => [...group.querySelectorAll("label")].map(label => {
  const style = getComputedStyle(label);
  return {text: label.innerText.replace(/\\s+/g, " ").trim(), checked: label.querySelector("input").checked,
          background: style.backgroundColor, colour: style.color};
})"""
WHITE, CHOSEN, CANT_SAY_CHOSEN = "rgb(255, 255, 255)", "rgb(31, 58, 95)", "rgb(73, 80, 87)"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_resumed_draft_shows_unanswered_questions_as_unanswered(new_page, live_server, company, viewport, tmp_path):
    shots = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    eo, sales = company["eo"], company["sales"]
    draft = Draft(employee=company["employee"], cycle=company["cycle"], providers=[eo.id, sales.id])
    draft.keyed_answers = {(eo.id, "ownership"): 2}
    draft.save()
    page = new_page(viewport)
    sign_in(page, live_server, "emma@example.com")
    page.goto(f"{live_server.url}/survey/")

    answered = page.get_by_role("group", name="Executive Office — Ownership").evaluate(LABEL_LOOKS)
    assert [(a["text"], a["background"]) for a in answered if a["checked"]] == [("2 Poor", CHOSEN)]
    unanswered = page.get_by_role("group", name="Executive Office — Courtesy")
    unanswered.scroll_into_view_if_needed()
    page.screenshot(path=shots / f"survey-resumed-{'phone' if viewport is PHONE else 'desktop'}.png")
    looks = unanswered.evaluate(LABEL_LOOKS)
    assert [a["text"] for a in looks][-1] == "Can’t say"
    assert not any(a["checked"] for a in looks)  # nothing ticked, "Can't say" included
    assert {a["background"] for a in looks} == {WHITE}  # and nothing looks ticked
    assert page.locator("input[type=radio]:checked").count() == 1

    # Choosing "Can't say" on purpose looks chosen, like any answer.
    unanswered.get_by_text("Can’t say").click()
    chosen = unanswered.evaluate(LABEL_LOOKS)
    assert [(a["text"], a["background"]) for a in chosen if a["checked"]] == [("Can’t say", CANT_SAY_CHOSEN)]
    assert serious_violations(page) == []
