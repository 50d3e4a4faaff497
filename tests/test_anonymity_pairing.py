"""Anonymity against a database reader: after the ballot box's batch, nothing stored pairs a
participation (who took part) with its answers or comments more finely than "one of at least N
people of that department".

Surveys are submitted through the web client, each request committing on its own, as in
production. Then the tests attack the tables as a database administrator would: every column,
PostgreSQL's `xmin` (which transaction wrote a row, and so roughly when), `ctid` (where the row
sits, and so what was written next to it), SQLite's rowid, and sequences. Each person answers with
a distinct pattern of scores, so the tests know the truth and can check that the attack is real
(it finds the right person among its candidates) but never narrows them below N.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import pytest
from django.db import connection
from django.test import Client

from surveys.dimensions import EXPECTATION, SERVICE_DIMENSIONS
from surveys.models import Answer, Ballot, Comment, Dimension, Draft, Participation
from surveys.services.cycles import cycle_close
from tests.factories import DepartmentFactory, EmployeeFactory, OpenCycleFactory
from tests.machine_services import require_postgresql

ANSWERS = Answer._meta.db_table
COMMENTS = Comment._meta.db_table
PARTICIPATIONS = Participation._meta.db_table
# What an answer says (who was rated, on what, how well) is the content being protected, not a
# key: the column attack below joins on everything else.
CONTENT_COLUMNS = {"provider_department_id", "dimension_id", "score", "text"}


def signature(index: int) -> dict[str, int]:
    """Person `index`'s six scores: the digits of index in base 5, so no two people share them."""
    return {slug: 1 + (index // 5**k) % 5 for k, slug in enumerate(SERVICE_DIMENSIONS)}


def submit_through_the_web(person, cycle, providers, index) -> None:
    client = Client()
    client.force_login(person.user)
    ids = [str(p.id) for p in providers if not p.is_executive_office]
    response = client.post("/survey/", {"cycle": cycle.name, "draft": "", "step": "departments", "providers": ids})
    assert response.status_code == 302
    draft = Draft.objects.get(employee=person, cycle=cycle)
    data = {"cycle": cycle.name, "draft": str(draft.pk), "action": "submit", "confirm": "1"}
    for provider in [*providers, person.department]:
        data.update({f"p{provider.id}-{slug}": str(score) for slug, score in signature(index).items()})
        data[f"p{provider.id}-{EXPECTATION}"] = "3"
    data[f"p{providers[0].id}-comment"] = f"Comment of person {index}"
    response = client.post("/survey/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    assert "your survey for" in client.get("/survey/").content.decode()  # "submitted", at once


@pytest.fixture
def company(db):
    eo = DepartmentFactory(name="Executive Office", slug="executive-office", is_executive_office=True)
    sales, it, finance = (DepartmentFactory(name=name) for name in ("Sales", "IT", "Finance"))
    cycle = OpenCycleFactory(name="2026-Q4")
    n = cycle.min_group_size
    people = [EmployeeFactory(department=sales) for _ in range(n + 1)] + [
        EmployeeFactory(department=it) for _ in range(2)
    ]
    # Submitted interleaved: Sales fills a batch at its N-th survey; IT (2 people) never does.
    order = [*people[:2], people[n + 1], *people[2:n], people[n + 2], people[n]]
    return {"cycle": cycle, "n": n, "people": people, "order": order, "providers": [eo, finance], "sales": sales}


def submit_all(company, after_each=None) -> dict[int, int]:
    """Everyone submits in `order`; returns employee id → index (their score signature)."""
    index_of = {}
    for index, person in enumerate(company["order"]):
        submit_through_the_web(person, company["cycle"], company["providers"], index)
        index_of[person.pk] = index
        if after_each:
            after_each()
    return index_of


def truth(index_of: dict[int, int]) -> dict[int, int]:
    """respondent key → employee id, read from the score signatures (the tests' knowledge only)."""
    by_signature = {tuple(signature(i).values()): employee for employee, i in index_of.items()}
    slugs = dict(Dimension.objects.values_list("id", "slug"))
    scores = defaultdict(dict)
    for respondent, dimension_id, score in Answer.objects.values_list("respondent", "dimension_id", "score"):
        if slugs[dimension_id] in SERVICE_DIMENSIONS:
            scores[respondent][slugs[dimension_id]] = score
    return {r: by_signature[tuple(s[slug] for slug in SERVICE_DIMENSIONS)] for r, s in scores.items()}


def rows(sql: str, params=()) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def window_candidates(stored: list[dict], participations: list[dict], clock: str) -> dict[int, set[int]]:
    """The timing attack: a row written at `clock` T comes from a person of its department who took
    part after the previous write of that department's rows and by T (the ballot box moves all
    of a department's waiting ballots at once). Returns, per row index, the employee ids that remain
    possible."""
    writes = defaultdict(set)
    for row in stored:
        writes[row["rater_department_id"]].add(row[clock])
    candidates = {}
    for i, row in enumerate(stored):
        previous = max((w for w in writes[row["rater_department_id"]] if w < row[clock]), default=-1)
        candidates[i] = {
            p["employee_id"]
            for p in participations
            if p["department_id"] == row["rater_department_id"] and previous < p[clock] <= row[clock]
        }
    return candidates


def physical_runs(respondents: list[int]) -> int:
    """How many stretches of consecutive rows of the same respondent the physical order holds."""
    return sum(1 for _ in itertools.groupby(respondents))


# --- PostgreSQL: every column, xmin, ctid, sequences -----------------------------------------------


def pg_answers() -> list[dict]:
    return rows(f"SELECT *, xmin::text::bigint AS xmin FROM {ANSWERS} ORDER BY ctid")


def pg_comments() -> list[dict]:
    return rows(f"SELECT *, xmin::text::bigint AS xmin FROM {COMMENTS} ORDER BY ctid")


def pg_participations() -> list[dict]:
    return rows(
        f"SELECT *, xmin::text::bigint AS xmin, ctid::text AS ctid, extract(epoch FROM submitted_at)::bigint "
        f"AS submitted_epoch FROM {PARTICIPATIONS} ORDER BY ctid"
    )


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_the_batch_no_column_xmin_or_ctid_pairs_a_participation_more_finely_than_n(company):
    require_postgresql()
    n = company["n"]
    index_of = submit_all(company)
    respondent_of = truth(index_of)
    answers, comments, participations = pg_answers(), pg_comments(), pg_participations()

    # 1. Timing (xmin): rows written together, after the participations they came from.
    person_of = {i: respondent_of[row["respondent"]] for i, row in enumerate(answers)}
    for table, stored in (("answers", answers), ("comments", comments)):
        for i, candidates in window_candidates(stored, participations, "xmin").items():
            assert len(candidates) >= n, f"{table} row {i}: one of only {len(candidates)}"
            if table == "answers":
                assert person_of[i] in candidates  # the attack is sound: the truth is among them
    assert not {r["xmin"] for r in answers} & {p["xmin"] for p in participations}
    # The batch moved: N Sales surveys; Sales' last one and IT's two still wait, sealed.
    assert len(respondent_of) == n and Ballot.objects.count() == 3
    assert {r["rater_department_id"] for r in answers} == {company["sales"].id}

    # 2. Every column: an answer or comment and a participation sharing a value.
    for table, stored in (("answers", answers), ("comments", comments)):
        keys = [c for c in stored[0] if c not in CONTENT_COLUMNS]
        for row_column, p_column in itertools.product(keys, participations[0]):
            for p in participations:
                matched = [i for i, row in enumerate(stored) if str(row[row_column]) == str(p[p_column])]
                people = {respondent_of[stored[i]["respondent"]] for i in matched} if table == "answers" else None
                assert not matched or len(people or matched) >= n, (table, row_column, p_column)

    # 3. Physical order (ctid): within the batch, rows of different people are interleaved.
    assert physical_runs([r["respondent"] for r in answers]) > len(answers) // 2
    # 4. Sequences: nothing on the anonymous tables counts up.
    counters = rows(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_name = ANY(%s) "
        "AND (column_default LIKE 'nextval%%' OR is_identity = 'YES')",
        [[ANSWERS, COMMENTS, Ballot._meta.db_table]],
    )
    assert counters == []


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_what_the_close_moves_pairs_only_within_the_people_it_came_from(company):
    """The honest limit (SECURITY.md): what is left at close moves even below N. A reader who kept
    the xmins can narrow a leftover row to the people of its department who submitted after that
    department's last batch, and no further."""
    require_postgresql()
    n = company["n"]
    submit_all(company)
    sales_last, it_people = company["people"][n], company["people"][n + 1 :]
    leftovers = {company["sales"].id: {sales_last.pk}, it_people[0].department_id: {p.pk for p in it_people}}

    cycle_close(cycle=company["cycle"])

    assert not Ballot.objects.exists() and not Draft.objects.exists()
    answers = pg_answers()
    close_xmin = max(row["xmin"] for row in answers)
    for row, candidates in zip(answers, window_candidates(answers, pg_participations(), "xmin").values(), strict=True):
        if row["xmin"] == close_xmin:
            assert candidates == leftovers[row["rater_department_id"]]
        else:
            assert len(candidates) >= n


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_attack_pairs_everyone_when_answers_are_written_with_their_participation(company):
    """The tests above would catch the old way: answers written in the submission's transaction."""
    require_postgresql()
    from django.db import transaction

    cycle, sales = company["cycle"], company["sales"]
    dimension = Dimension.objects.get(slug="courtesy")
    for person in company["people"][:3]:
        with transaction.atomic():
            Participation.objects.create(employee=person, cycle=cycle, department=sales)
            Answer.objects.create(
                cycle=cycle,
                respondent=person.pk * 7919,
                rater_department=sales,
                provider_department=sales,
                dimension=dimension,
                score=3,
            )
    candidates = window_candidates(pg_answers(), pg_participations(), "xmin")
    assert [len(c) for c in candidates.values()] == [1, 1, 1]


# --- SQLite (or any database): the physical order of rows -----------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rowid_or_ctid_order_pairs_no_one_more_finely_than_a_batch(company):
    """On SQLite rows keep their insertion order (rowid); on PostgreSQL, ctid. Moments are
    recorded after every request, as a reader who watched the tables would."""
    n = company["n"]
    position = "rowid" if connection.vendor == "sqlite" else "ctid"
    moments = []

    def watch():
        moments.append(
            (
                len(rows(f"SELECT {position} FROM {ANSWERS}")),
                set(Participation.objects.values_list("employee_id", flat=True)),
            )
        )

    index_of = submit_all(company, after_each=watch)
    respondent_of = truth(index_of)
    answers = rows(f"SELECT respondent, rater_department_id FROM {ANSWERS} ORDER BY {position}")
    # Each row's moment: the first request after which the table held it.
    for i, row in enumerate(answers):
        row["moment"] = next(m for m, (count, _) in enumerate(moments) if count > i)
    participations = [
        {"employee_id": e, "department_id": d, "moment": next(m for m, (_, seen) in enumerate(moments) if e in seen)}
        for e, d in Participation.objects.values_list("employee_id", "department_id")
    ]
    # A participation and the batch its request triggered share the moment: the window is closed
    # on the right here, so count it in.
    for p in participations:
        p["moment"] -= 0.5
    for i, candidates in window_candidates(answers, participations, "moment").items():
        assert len(candidates) >= n and respondent_of[answers[i]["respondent"]] in candidates
    assert physical_runs([r["respondent"] for r in answers]) > len(answers) // 2
