"""The "No differencing" rule: hand-computed cases for each family of totals and parts, and
properties on random companies (nothing small recoverable, every extra hidden row has a reason,
the same answers always give the same hidden rows)."""

from collections import defaultdict

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from reports import differencing, frames
from surveys.dimensions import OVERALL, ROW_DIMENSIONS, SERVICE_DIMENSIONS
from tests.reports import tables
from tests.reports.audit import determined_hidden_rows, families, small_recoverable_groups
from tests.reports.builders import aggregate, company_respondents

SALES, IT, HR, OPS = 1, 2, 3, 4
WILL, OWN, RESP, REL, COUR, COMM = SERVICE_DIMENSIONS


def survey(respondent, rater, provider, scores, dimensions=SERVICE_DIMENSIONS):
    scores = [scores] * len(dimensions) if isinstance(scores, int) else scores
    return [(respondent, rater, provider, d, s) for d, s in zip(dimensions, scores, strict=True)]


def run(answers, minimum, **kwargs):
    cells, masks = aggregate(answers)
    people = company_respondents(answers)
    return tables.rollup(cells, masks, min_group_size=minimum, company_respondents=people, **kwargs)


def get(frame, **keys):
    selected = frame
    for key, value in keys.items():
        selected = selected[selected[key] == value]
    assert len(selected) == 1, keys
    return selected.iloc[0]


def hidden_map(result) -> dict:
    """Node key (see tests/reports/audit.py) → hidden, from a roll-up's frames."""
    out = {}
    for r in result.links.itertuples():
        out[("L", r.rater, r.provider, r.dimension)] = bool(r.suppressed)
    for r in result.departments.itertuples():
        key = (
            ("D", r.department, r.dimension)
            if r.scope == "supplier"
            else ("L", r.department, r.department, r.dimension)
        )
        assert out.setdefault(key, bool(r.suppressed)) == bool(r.suppressed), "management row and diagonal differ"
    for r in result.company.itertuples():
        out[("C", r.scope, r.dimension)] = bool(r.suppressed)
    return out


def truth(answers) -> dict:
    """Node key → the set of people whose ratings it holds (expectation and outcome answers never count)."""
    raters = defaultdict(set)
    for respondent, rater, provider, dimension, _ in answers:
        if dimension in ("expectation", "outcome"):
            continue
        scope = "management" if rater == provider else "supplier"
        for d in (dimension, OVERALL):
            raters[("L", rater, provider, d)].add(respondent)
            raters[("C", scope, d)].add(respondent)
            if scope == "supplier":
                raters[("D", provider, d)].add(respondent)
    return raters


def audit(answers, result, minimum):
    hidden, raters = hidden_map(result), truth(answers)
    raters = {key: raters.get(key, set()) for key in hidden}
    return small_recoverable_groups(hidden, raters, minimum), determined_hidden_rows(hidden, raters)


# --- The two examples of the issue, exactly --------------------------------------------------


def test_issue_example_one_link_is_not_recoverable_from_the_department_row():
    # Provider IT, minimum 5: Sales → IT 5 people, 30 ratings, mean 4.0; HR → IT one person, 6 ratings of 1.
    answers = [row for r in range(1, 6) for row in survey(r, SALES, IT, 4)] + survey(6, HR, IT, 1)
    result = run(answers, 5)
    it = get(result.departments, department=IT, scope="supplier", dimension=OVERALL)
    assert (it["respondents"], it["ratings"], it["mean"], it["suppressed"]) == (6, 36, 3.5, False)
    # Without the rule, 36 × 3.5 − 30 × 4.0 = 6 ratings summing to 6: the HR person's score exactly.
    for dimension in ROW_DIMENSIONS:
        assert get(result.links, rater=HR, provider=IT, dimension=dimension)["suppressed"]
        sales = get(result.links, rater=SALES, provider=IT, dimension=dimension)
        assert sales["suppressed"] and pd.isna(sales["mean"]) and pd.isna(sales["respondents"])
        assert ("L", SALES, IT, frames.ROW_DIMENSIONS.index(dimension)) in result.decision.reasons
    assert audit(answers, result, 5) == ([], [])


def test_issue_example_two_one_persons_dimension_is_not_recoverable_from_the_overall_row():
    # A link of 5 people where only one rated ownership (a 1); overall 26 ratings, mean 3.923.
    answers = [row for r in range(1, 6) for row in survey(r, SALES, IT, 4, (WILL, RESP, REL, COUR, COMM))]
    answers[0] = (1, SALES, IT, WILL, 5)
    answers.append((1, SALES, IT, OWN, 1))
    result = run(answers, 5)
    overall = get(result.links, rater=SALES, provider=IT, dimension=OVERALL)
    assert (overall["ratings"], round(overall["mean"], 3), overall["suppressed"]) == (26, 3.923, False)
    hidden = {d for d in SERVICE_DIMENSIONS if get(result.links, rater=SALES, provider=IT, dimension=d)["suppressed"]}
    # Ownership for its size; willingness (5 people, first of the ties) so that overall minus the
    # shown four pools two dimensions of 5 people, not one person's score.
    assert hidden == {OWN, WILL}
    shown = result.links[(result.links["dimension"] != OVERALL) & ~result.links["suppressed"]]
    assert shown["ratings"].sum() == 20 and (shown["mean"] * shown["ratings"]).sum() == 80
    assert audit(answers, result, 5) == ([], [])


# --- One case per family ------------------------------------------------------------------------


def test_management_row_and_diagonal_link_share_one_decision():
    # Sales staff rate their own management: 5 people, but only 2 rated courtesy.
    answers = [row for r in range(1, 6) for row in survey(r, SALES, SALES, 3, (WILL, OWN, RESP, REL, COMM))]
    answers += [(1, SALES, SALES, COUR, 1), (2, SALES, SALES, COUR, 2)]
    result = run(answers, 5)
    for dimension in ROW_DIMENSIONS:
        link = get(result.links, rater=SALES, provider=SALES, dimension=dimension)["suppressed"]
        assert get(result.departments, department=SALES, scope="management", dimension=dimension)["suppressed"] == link
    assert get(result.links, rater=SALES, provider=SALES, dimension=WILL)["suppressed"]  # courtesy's partner
    assert not get(result.links, rater=SALES, provider=SALES, dimension=OVERALL)["suppressed"]
    assert audit(answers, result, 5) == ([], [])


def test_department_dimensions_pool_the_people_of_all_their_links():
    # IT: 3 Sales people rate everything, 3 HR people rate everything but ownership, one HR person
    # rates ownership only. Department ownership holds 4 people, overall 7: overall minus the five
    # shown dimensions would give 4 people's ownership, so one more dimension is hidden.
    answers = [row for r in (1, 2, 3) for row in survey(r, SALES, IT, 4)]
    answers += [row for r in (4, 5, 6) for row in survey(r, HR, IT, 3, (WILL, RESP, REL, COUR, COMM))]
    answers += [(7, HR, IT, OWN, 1)]
    result = run(answers, 5)
    it = result.departments[(result.departments["department"] == IT) & (result.departments["scope"] == "supplier")]
    hidden = set(it.loc[it["suppressed"], "dimension"])
    assert hidden == {OWN, WILL}
    assert not get(it, dimension=OVERALL)["suppressed"]
    assert audit(answers, result, 5) == ([], [])


def test_a_part_that_could_be_worked_out_alone_takes_a_partner_in_every_direction():
    # Two links into IT: X (Sales, 5 people, one of them alone on ownership) and Y (HR, 6 people).
    # Department ownership minus Y's ownership would give X's one person; hiding Y's ownership alone
    # does not help, because Y's overall minus Y's shown dimensions gives it back. The rule leaves a
    # square of four hidden rows (both links × ownership and willingness) with every margin shown.
    answers = [row for r in range(1, 6) for row in survey(r, SALES, IT, 4, (WILL, RESP, REL, COUR, COMM))]
    answers += [(1, SALES, IT, OWN, 1)]
    answers += [row for r in range(6, 12) for row in survey(r, HR, IT, 3)]
    result = run(answers, 5)
    hidden = {(r.rater, r.dimension) for r in result.links.itertuples() if r.suppressed}
    assert hidden == {(SALES, OWN), (SALES, WILL), (HR, OWN), (HR, WILL)}
    assert not result.departments["suppressed"].any()
    reason = result.decision.reasons[("L", HR, IT, 0)]
    assert reason[0] == "lone"  # Y's willingness: Y's ownership was the only hidden part of Y's overall
    assert audit(answers, result, 5) == ([], [])


def test_company_line_is_hidden_when_it_would_give_away_a_small_department():
    # IT rated by 6 Sales people, HR by 2 Ops people: company supplier line minus IT = HR's two people.
    answers = [row for r in range(1, 7) for row in survey(r, SALES, IT, 4)]
    answers += [row for r in (7, 8) for row in survey(r, OPS, HR, 2)]
    result = run(answers, 5)
    assert get(result.departments, department=HR, scope="supplier", dimension=OVERALL)["suppressed"]
    assert not get(result.departments, department=IT, scope="supplier", dimension=OVERALL)["suppressed"]
    supplier = result.company[result.company["scope"] == "supplier"]
    assert supplier["suppressed"].all() and supplier["mean"].isna().all()
    assert audit(answers, result, 5) == ([], [])


def test_company_line_is_shown_with_exact_distinct_raters_when_nothing_small_hides_beside_it():
    answers = [row for r in range(1, 7) for row in survey(r, SALES, IT, 4) + survey(r, SALES, HR, 2)]
    cells, masks = aggregate(answers)
    people = pd.DataFrame([("supplier", d, 6) for d in ROW_DIMENSIONS], columns=frames.COMPANY_RESPONDENT_COLUMNS)
    result = tables.rollup(cells, masks, min_group_size=5, company_respondents=people)
    line = get(result.company, scope="supplier", dimension=OVERALL)
    # 6 people (not 12: each rated two departments), 72 ratings, mean 3.
    assert (line["respondents"], line["ratings"], line["mean"], line["suppressed"]) == (6, 72, 3.0, False)


def test_a_row_hidden_in_the_previous_cycle_gets_no_delta_even_when_shown_now():
    before = [row for r in range(1, 6) for row in survey(r, SALES, IT, 4)] + survey(6, HR, IT, 1)
    previous = run(before, 5)
    now = [row for r in range(1, 6) for row in survey(r, SALES, IT, 3)]
    current = run(now, 5, previous=previous)
    sales = get(current.links, rater=SALES, provider=IT, dimension=OVERALL)
    assert not sales["suppressed"] and pd.isna(sales["delta"])  # hidden last cycle by the rule
    it = get(current.departments, department=IT, scope="supplier", dimension=OVERALL)
    assert it["delta"] == 3.0 - 3.5


def test_nothing_is_hidden_when_no_group_is_small():
    answers = [row for r in range(1, 6) for row in survey(r, SALES, IT, 4) + survey(r, SALES, SALES, 3)]
    answers += [row for r in range(6, 11) for row in survey(r, HR, IT, 2)]
    result = run(answers, 5)
    assert not result.links["suppressed"].any() and not result.departments["suppressed"].any()
    assert not result.company["suppressed"].any() and result.decision.reasons == {}


# --- Properties on random companies ---------------------------------------------------------------

DEPARTMENTS = 4
person = st.tuples(
    st.integers(1, DEPARTMENTS),
    st.lists(
        st.tuples(st.integers(1, DEPARTMENTS), st.sets(st.sampled_from(SERVICE_DIMENSIONS), min_size=1)),
        max_size=3,
        unique_by=lambda pair: pair[0],
    ),
    st.integers(1, 5),
)
company = st.lists(person, max_size=24)


def answers_of(people) -> list[tuple]:
    return [
        (index, home, provider, dimension, (score + position) % 5 + 1)
        for index, (home, ratings, score) in enumerate(people, start=1)
        for provider, dimensions in ratings
        for position, dimension in enumerate(sorted(dimensions))
    ]


@settings(max_examples=40, deadline=None)
@given(people=company, minimum=st.integers(2, 5), seed=st.integers(0, 2**16))
def test_no_small_group_is_recoverable_and_every_extra_hidden_row_has_a_reason(people, minimum, seed):
    answers = answers_of(people)
    if not answers:
        return
    result = run(answers, minimum)
    small, determined = audit(answers, result, minimum)
    assert small == [], small
    raters = truth(answers)
    assert [key for key in determined if 0 < len(raters[key]) < minimum] == [], determined

    # Every extra hidden row names a family that contains it and holds another hidden rated member.
    hidden = hidden_map(result)
    by_total = {(kind, total): {total, *parts} for total, parts, kind in families(hidden)}
    size_hidden = {key for key in hidden if len(raters.get(key, ())) < minimum}
    extra = {key for key, is_hidden in hidden.items() if is_hidden} - size_hidden
    named = {_audit_key(key) for key in result.decision.reasons}
    assert extra == named
    for key, (_, kind, total) in result.decision.reasons.items():
        members = by_total[(kind, _audit_key(total))]
        assert _audit_key(key) in members
        assert any(hidden[m] and raters.get(m) for m in members - {_audit_key(key)})

    # Same answers, any order: same hidden rows.
    cells, masks = aggregate(answers)
    shuffled = tables.rollup(
        cells.sample(frac=1, random_state=seed),
        masks.sample(frac=1, random_state=seed),
        min_group_size=minimum,
        company_respondents=company_respondents(answers),
    )
    assert shuffled.decision.hidden == result.decision.hidden


def _audit_key(key: tuple) -> tuple:
    """A differencing node key in the audit's notation (dimension slugs instead of indexes)."""
    dimension = frames.ROW_DIMENSIONS[key[-1]]
    if key[0] == "L":
        return ("L", key[1], key[2], dimension)
    if key[0] == "D":
        return ("D", key[1], dimension)
    return ("C", key[1], dimension)


def test_audit_catches_the_rule_switched_off(monkeypatch):
    """The audit is not vacuous: with the rule reduced to the minimum group size (family rule and
    exact check both off), it finds the leak."""
    monkeypatch.setattr(differencing, "_violation", lambda *args: None)
    monkeypatch.setattr(differencing, "_worked_out", lambda *args: set())
    monkeypatch.setattr(differencing, "exact_rule", lambda decision, *args, **kwargs: decision)
    answers = [row for r in range(1, 6) for row in survey(r, SALES, IT, 4)] + survey(6, HR, IT, 1)
    small, determined = audit(answers, run(answers, 5), 5)
    assert ("links", ("D", IT, OVERALL), 1) in small and ("L", HR, IT, OVERALL) in determined


def test_the_exact_check_alone_protects_what_the_family_rule_would(monkeypatch):
    """With the family rule switched off, the exact check still leaves nothing small to recover,
    hiding the smallest shown part first (the Sales link beside HR's one person). On its own it is
    greedier than the family rule (a hidden row of 6 people may still be worked out: allowed), which
    is why the family rule runs first."""
    monkeypatch.setattr(differencing, "_violation", lambda *args: None)
    monkeypatch.setattr(differencing, "_worked_out", lambda *args: set())
    answers = [row for r in range(1, 6) for row in survey(r, SALES, IT, 4)] + survey(6, HR, IT, 1)
    result = run(answers, 5)
    small, determined = audit(answers, result, 5)
    raters = truth(answers)
    assert small == [] and [key for key in determined if 0 < len(raters[key]) < 5] == []
    assert get(result.links, rater=SALES, provider=IT, dimension=OVERALL)["suppressed"]
    assert not get(result.departments, department=IT, scope="supplier", dimension=OVERALL)["suppressed"]
