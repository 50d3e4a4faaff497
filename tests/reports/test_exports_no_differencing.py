"""The issue's "done when": from the scorecard and link CSV files alone, a reader cannot work out
any group below the minimum by adding or subtracting rows, for the demo company and for a
generated company of 10,000 people.

The reader's side uses nothing but the two files: which rows are shown, their respondents,
ratings and means. The answers in the database serve only as ground truth, to say how many people
a group that the files do give away (by subtraction) really holds."""

import csv
import io
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.db import transaction

from reports.services import rollup_cycle
from surveys.bulk import write_answers
from surveys.demo import seed_demo
from surveys.dimensions import OVERALL, ROW_DIMENSIONS, SERVICE_DIMENSIONS
from surveys.models import Answer, Cycle, Department, Dimension
from tests.reports.audit import determined_hidden_rows, families

DIMENSIONS = ROW_DIMENSIONS


def export_files(cycle: Cycle, folder) -> tuple:
    scorecards, links = folder / "scorecards.csv", folder / "links.csv"
    call_command("export_scorecards", cycle.name, "--format", "csv", "-o", str(scorecards), stdout=open_null())
    call_command("export_links", cycle.name, "-o", str(links), stdout=open_null())
    return scorecards, links


def open_null():
    return io.StringIO()


def read_files(scorecards, links) -> dict:
    """Node key → the row as the files give it (see tests/reports/audit.py for keys)."""
    rows = {}
    with open(links, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[("L", row["rater_department"], row["provider_department"], row["dimension"])] = _figures(row)
    with open(scorecards, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            department, dimension = row["department"], row["dimension"]
            if row["scope"] == "management":
                # The management row must read exactly like the diagonal link: same ratings, one decision.
                diagonal = rows[("L", department, department, dimension)]
                assert _figures(row) == diagonal, (department, dimension)
            else:
                rows[("D", department, dimension)] = _figures(row)
    return rows


def _figures(row) -> dict:
    hidden = row["suppressed"] == "true"
    if hidden:
        assert row["respondents"] == row["ratings"] == row["mean"] == row["favorable_pct"] == ""
    return {
        "hidden": hidden,
        "respondents": None if hidden else int(row["respondents"]),
        "ratings": None if hidden else int(row["ratings"]),
        "sum": None if hidden else float(row["mean"]) * int(row["ratings"]),
    }


def truth(answers: pd.DataFrame) -> tuple[dict, dict]:
    """Node key → set of people whose ratings it holds, and → number of ratings.
    `answers`: respondent, rater, provider, dimension."""
    answers = answers[~answers["dimension"].isin(["expectation", "outcome"])]  # neither is a rating
    raters, ratings = defaultdict(set), defaultdict(int)
    for (rater, provider, dimension), people in answers.groupby(["rater", "provider", "dimension"])["respondent"]:
        keys = [("L", rater, provider, dimension), ("L", rater, provider, OVERALL)]
        if rater != provider:
            keys += [("D", provider, dimension), ("D", provider, OVERALL)]
        for key in keys:
            raters[key] |= set(people)
            ratings[key] += len(people)
    return raters, ratings


def assert_nothing_small_recoverable(files: dict, ground_truth: tuple[dict, dict], minimum: int) -> dict:
    """Every subtraction the files allow, and every combination of them, checked. Returns counts."""
    raters = {key: ground_truth[0].get(key, set()) for key in files}
    ratings = {key: ground_truth[1].get(key, 0) for key in files}
    checked = defaultdict(int)
    for total, parts, kind in families(files):
        if files[total]["hidden"]:
            continue
        hidden_parts = [p for p in parts if files[p]["hidden"]]
        shown_parts = [p for p in parts if not files[p]["hidden"]]
        recovered = files[total]["ratings"] - sum(files[p]["ratings"] for p in shown_parts)
        # The subtraction the files allow gives exactly the pooled hidden parts' ratings.
        assert recovered == sum(ratings[p] for p in hidden_parts), (total, recovered)
        pooled = set().union(*(raters[p] for p in hidden_parts))
        if kind == "links":
            # Raters of different links are different people: the files alone give their number.
            people = files[total]["respondents"] - sum(files[p]["respondents"] for p in shown_parts)
            assert people == len(pooled)
            assert people == 0 or people >= minimum, (total, people)
        assert len(pooled) == 0 or len(pooled) >= minimum, (kind, total, len(pooled))
        checked[kind] += bool(hidden_parts)
    hidden = {key: row["hidden"] for key, row in files.items()}
    determined = determined_hidden_rows(hidden, raters)
    small = [key for key in determined if 0 < len(raters[key]) < minimum]
    assert small == [], small
    checked["hidden rows"] = sum(hidden.values())
    checked["hidden rows of 1 to minimum − 1 people"] = sum(
        1 for key, is_hidden in hidden.items() if is_hidden and 0 < len(raters[key]) < minimum
    )
    return dict(checked)


def answers_of(cycle: Cycle) -> pd.DataFrame:
    return pd.DataFrame(
        Answer.objects.filter(cycle=cycle).values_list(
            "respondent", "rater_department__name", "provider_department__name", "dimension__slug"
        ),
        columns=["respondent", "rater", "provider", "dimension"],
    )


@pytest.mark.django_db
def test_demo_company_exports_give_no_small_group_away(tmp_path):
    seed_demo(people=120)
    cycle = Cycle.objects.filter(answers__isnull=False).order_by("-name").distinct().first()
    scorecards, links = export_files(cycle, tmp_path)
    files = read_files(scorecards, links)
    answers = answers_of(cycle)
    checked = assert_nothing_small_recoverable(files, truth(answers), cycle.min_group_size)
    # The demo has small groups beside shown totals: the check is not vacuous.
    assert checked["hidden rows of 1 to minimum − 1 people"] > 0 and checked["links"] > 0
    # Seven rows for every link that received a rating.
    per_link = pd.Series([key[1:3] for key in files if key[0] == "L"]).value_counts()
    assert set(per_link) == {7} and len(per_link) == answers.groupby(["rater", "provider"]).ngroups


def generated_company(people: int, departments: int, seed: int) -> pd.DataFrame:
    """Answers of a company of `people` in `departments` of very unequal sizes (a few of 2–6 people)
    and unequal popularity as suppliers: plenty of small links, small dimensions and small
    departments beside large ones. Columns: respondent, rater, provider (indexes), dimension, score."""
    rng = np.random.default_rng(seed)
    tiny = np.array([2, 3, 4, 6])
    weights = 1 / np.arange(1, departments - len(tiny) + 1) ** 1.1
    rest = rng.multinomial(people - tiny.sum(), weights / weights.sum())
    home = np.repeat(np.arange(departments), np.concatenate([tiny, rest]))
    popularity = 1 / np.arange(1, departments + 1) ** 0.9
    count = np.clip(rng.poisson(1.2, people) + 1, 1, 4)
    # Distinct providers per person: top-k of Gumbel-perturbed log weights.
    keys = np.log(popularity)[None, :] + rng.gumbel(size=(people, departments))
    chosen = np.argsort(-keys, axis=1)
    person = np.repeat(np.arange(people), count)
    provider = chosen[person, np.concatenate([np.arange(c) for c in count])]
    frame = pd.DataFrame(
        {
            "respondent": np.repeat(person + 1, len(SERVICE_DIMENSIONS)),
            "rater": np.repeat(home[person], len(SERVICE_DIMENSIONS)),
            "provider": np.repeat(provider, len(SERVICE_DIMENSIONS)),
            "dimension": np.tile(SERVICE_DIMENSIONS, len(person)),
        }
    )
    frame = frame[rng.random(len(frame)) < 0.9]  # people skip a tenth of the questions
    return frame.assign(score=rng.integers(1, 6, len(frame))).reset_index(drop=True)


@pytest.mark.django_db
def test_exports_of_a_company_of_ten_thousand_people_give_no_small_group_away(tmp_path):
    generated = generated_company(10_000, 40, seed=7)
    departments = Department.objects.bulk_create(
        [Department(name=f"Department {i:02d}", slug=f"department-{i:02d}") for i in range(40)]
    )
    ids = np.array([d.id for d in Department.objects.order_by("name")])
    cycle = Cycle.objects.create(name="2026-Q3", status=Cycle.Status.CLOSED, is_historical=True, min_group_size=5)
    dimension_ids = dict(Dimension.objects.values_list("slug", "id"))
    with transaction.atomic():
        write_answers(
            pd.DataFrame(
                {
                    "cycle_id": cycle.id,
                    "respondent": generated["respondent"],
                    "rater_department_id": ids[generated["rater"]],
                    "provider_department_id": ids[generated["provider"]],
                    "dimension_id": generated["dimension"].map(dimension_ids),
                    "score": generated["score"],
                }
            )
        )
    rollup_cycle(cycle_id=cycle.id)
    scorecards, links = export_files(cycle, tmp_path)
    files = read_files(scorecards, links)
    names = np.array([d.name for d in sorted(departments, key=lambda d: d.name)])
    answers = generated.assign(rater=names[generated["rater"]], provider=names[generated["provider"]])
    checked = assert_nothing_small_recoverable(files, truth(answers), 5)
    assert checked["hidden rows of 1 to minimum − 1 people"] > 100 and checked["links"] > 20
