"""The fixed vocabulary of the contract, in one place: dimension slugs, scopes, the 1–5 scale, and
the survey's questions with their form field names. Every other module imports these; none
redefines them (tests/surveys/test_dimensions.py checks)."""

import re

SERVICE_DIMENSIONS = ("willingness", "ownership", "responsiveness", "reliability", "courtesy", "communication")
EXPECTATION = "expectation"
# The overall verdict on a provider: what the six dimensions are meant to explain (reports.drivers).
# Like the expectation it never counts in a scorecard figure.
OUTCOME = "outcome"
ALL_DIMENSIONS = (*SERVICE_DIMENSIONS, EXPECTATION, OUTCOME)
# The answers a scorecard's roll-up reads (frames): everything but the outcome.
SCORECARD_DIMENSIONS = (*SERVICE_DIMENSIONS, EXPECTATION)
OVERALL = "overall"
# The dimensions of a result row, in their order: the six, then `overall` (their pool).
ROW_DIMENSIONS = (*SERVICE_DIMENSIONS, OVERALL)

SUPPLIER, MANAGEMENT = "supplier", "management"
SCOPES = (SUPPLIER, MANAGEMENT)

SCALE = {1: "Very poor", 2: "Poor", 3: "Acceptable", 4: "Good", 5: "Excellent"}
EXPECTATION_SCALE = {1: "Very low", 2: "Low", 3: "Moderate", 4: "High", 5: "Very high"}
OUTCOME_SCALE = {1: "Strongly disagree", 2: "Disagree", 3: "Neither", 4: "Agree", 5: "Strongly agree"}
FAVORABLE_MIN = 4
# The outcome question names the provider: its stored text holds this placeholder (editable in the admin).
DEPARTMENT_PLACEHOLDER = "{department}"

# The questions of one provider's section of the survey: skip, the dimensions (expectation and outcome too), a comment.
SKIP, COMMENT = "skip", "comment"
QUESTIONS = (SKIP, *ALL_DIMENSIONS, COMMENT)

# The self-view ("blind spots"): how a person thinks others rate their own department. Drafts and
# field names use these reserved section keys in place of a department id: `self` (how the
# departments it serves rate it, everyone) and `self_management` (how its staff rate its
# management, managers and executives only). Their answers never reach Answer: SelfViewAnswer.
SELF_VIEW_SECTIONS = {"self": SUPPLIER, "self_management": MANAGEMENT}

_FIELD_RE = re.compile(r"^p(?P<provider>[^-]*)-(?P<question>.*)$")


def field_name(provider_id: int, question: str) -> str:
    """The survey form's field name of one question of one provider's section: `p{id}-{question}`."""
    return f"p{provider_id}-{question}"


def parse_field_name(name: str) -> tuple[str, str] | None:
    """(provider id as sent, question) of a survey field name, or None for any other name.

    The id is returned as text: a tampered POST may send one that is not a number, and is told so.
    """
    match = _FIELD_RE.match(name)
    return (match["provider"], match["question"]) if match else None


def ensure_dimensions(**kwargs):
    """Create any missing dimension row as the data migration defines it; never overwrite edits."""
    import importlib

    from django.apps import apps

    if not apps.is_installed("surveys"):
        return
    Dimension = apps.get_model("surveys", "Dimension")
    if Dimension.objects.count() == len(ALL_DIMENSIONS):
        return
    importlib.import_module("surveys.migrations.0002_dimensions").create_dimensions(apps, None)
    importlib.import_module("surveys.migrations.0006_outcome_dimension").create_outcome(apps, None)
