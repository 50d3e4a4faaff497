"""A believable demo company for `manage.py seed_demo`: 12 departments, 250 people, three
published quarters of answers with clear stories, and the current quarter open.

The stories, so that the dashboards have something to say:
- Facilities is the weakest link: low ownership and responsiveness, every quarter.
- The outcome ("I get what I need") follows ownership and responsiveness most (the drivers), so
  Facilities' weak spots are exactly the ones that matter: its "fix first".
- IT improves quarter by quarter (a new service desk).
- Expectations run a little above experience almost everywhere.
- Everyone thinks others see their department a little better than they do, and managers think
  their staff rate their management far better than the staff do (the management blind spot).
- People comment: plenty on Facilities and IT (enough to show), a few on most others (too few to
  show: a department page says so), and Operations' staff on their own management.

Idempotent: everything is keyed by name, email or employee ID, a past quarter that already holds
answers is left alone, and re-running changes nothing. Names come from the fixed lists below with a
seeded generator (no Faker at run time); respondent keys are random, as in a real survey.
"""

import datetime
import random
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from .bulk import write_answers
from .dimensions import ALL_DIMENSIONS, EXPECTATION, MANAGEMENT, OUTCOME, SERVICE_DIMENSIONS, SUPPLIER
from .models import (
    EXECUTIVE_OFFICE,
    Comment,
    Cycle,
    Department,
    Dimension,
    Employee,
    Participation,
    SelfViewAnswer,
    new_respondent_key,
)
from .roles import MANAGEMENT_ROLES, Role, assign_role_groups, is_staff_for
from .services.cycles import cycle_open, cycle_publish, snapshot_headcount

DEMO_PASSWORD = "chain-survey-demo"
DEMO_DOMAIN = "demo.example"
DEFAULT_PEOPLE = 250
SEED = 20260101

# name, share of the headcount, supplier quality (per past quarter, oldest first),
# management quality, how often others deal with it (weight), dimension offsets.
DEPARTMENTS = [
    (EXECUTIVE_OFFICE, 0.03, (3.5, 3.5, 3.6), 3.6, 1.0, {"communication": -0.4}),
    ("Sales", 0.14, (3.7, 3.7, 3.8), 3.5, 0.6, {"communication": -0.2}),
    ("Customer Service", 0.14, (3.8, 3.9, 3.9), 3.7, 0.5, {"courtesy": 0.3}),
    ("Marketing", 0.07, (3.6, 3.6, 3.5), 3.4, 0.4, {}),
    ("Finance", 0.07, (3.4, 3.5, 3.5), 3.6, 0.7, {"responsiveness": -0.3, "reliability": 0.3}),
    ("Human Resources", 0.05, (3.7, 3.8, 3.8), 3.9, 0.8, {"courtesy": 0.3}),
    ("IT", 0.08, (2.9, 3.4, 3.95), 3.5, 0.95, {"communication": 0.1}),
    ("Facilities", 0.06, (2.7, 2.6, 2.6), 3.0, 0.8, {"ownership": -0.7, "responsiveness": -0.6}),
    ("Logistics", 0.10, (3.5, 3.4, 3.5), 3.3, 0.5, {"reliability": -0.2}),
    ("Procurement", 0.06, (3.3, 3.3, 3.4), 3.5, 0.5, {"responsiveness": -0.3}),
    ("Legal", 0.04, (3.6, 3.6, 3.7), 3.8, 0.3, {"communication": -0.2}),
    ("Operations", 0.16, (3.6, 3.7, 3.6), 3.2, 0.6, {}),
]
# Share of raters who leave a comment, per provider (supplier scope; the rest: COMMENT_RATE_OTHERS)
# and per department for its own management: enough on Facilities and IT to pass the comment
# threshold, too few on a small department like Legal.
COMMENT_RATES = {"Facilities": 0.4, "IT": 0.35, EXECUTIVE_OFFICE: 0.1, "Legal": 0.02}
COMMENT_RATE_OTHERS = 0.05
MANAGEMENT_COMMENT_RATES = {"Operations": 0.6, "Facilities": 0.2}
STORY_WEAKEST = "Facilities"
STORY_IMPROVING = "IT"
# Offsets that change after a past quarter's commitment (actions.demo tells that story): the
# Executive Office committed on communication and reliability after the second quarter, and kept
# both promises.
STORY_OFFSETS = {(EXECUTIVE_OFFICE, "communication"): {2: 0.0}, (EXECUTIVE_OFFICE, "reliability"): {2: 0.35}}
# How much each dimension's score (above or below the rater's usual level) moves their outcome
# answer: ownership and responsiveness drive it (reports.drivers finds them first).
OUTCOME_DRIVERS = {"ownership": 0.5, "responsiveness": 0.45, "reliability": 0.08, "communication": 0.05}


# What people write, by provider (supplier scope) and by tone; `None`: any provider.
COMMENTS = {
    ("Facilities", "low"): [
        "I logged a broken heater three times before anyone came. Nobody owns a ticket there.",
        'Every request is bounced to another team; "that\'s not our job" is the usual answer.',
        "Meeting rooms are booked but never set up on time.",
        "It took five weeks to fix the lock on our storage room.",
        "We never hear back after reporting a problem, so we stopped reporting.",
        "The help desk form disappears into a void. A phone number that someone answers would help.",
        "Cleaning is fine, but repairs wait for weeks with no update.",
        "They promise a date and then it slips without a word.",
        "Whoever picks up is friendly, but nothing happens afterwards.",
        "Our desk moves were planned for a month and done in a weekend with half the cables missing.",
        "Nobody seems to know who is responsible for the parking gates.",
        "Please tell us when something will be fixed, even if it is late.",
        "The air conditioning on the third floor has been broken since spring.",
        "A simple lamp replacement needed two tickets and a reminder from my manager.",
        "When the lift broke, we learned about it from the sign, not from them.",
        "They close tickets as done when the contractor is only booked.",
        "Nobody answered when the kitchen flooded on a Friday evening.",
        "We are passed between facilities and the landlord, and neither takes it on.",
        "The office move checklist was good, but half of it was not done.",
        "They only seem to react when a director complains.",
        'Replies are polite, but always "we\'ll look into it" and then nothing.',
        "The new ticket portal is an improvement, if only someone read the tickets.",
    ],
    ("Facilities", "high"): [
        "The new badge readers were installed quickly and explained well.",
        "The caretaker on our floor goes out of his way to help.",
        "Much better at handling urgent leaks than last year.",
    ],
    ("IT", "low"): [
        "Laptop replacements still take too long.",
        "Tickets get closed before the problem is solved.",
        "Password resets should not need a phone call and a two-day wait.",
        "The VPN drops every afternoon and nobody tells us why.",
    ],
    ("IT", "high"): [
        "The new service desk is a real improvement: a person answers and follows up.",
        "They fixed my access in ten minutes and checked in the next day.",
        "Clear status updates on outages now, thank you.",
        "The walk-in hour on Tuesdays saves us a lot of time.",
        "Onboarding a new colleague went smoothly this time, accounts ready on day one.",
        "They explained the migration in plain words and kept to the plan.",
        "Much faster than last year; tickets are owned by one person from start to end.",
        "The new laptops arrived configured and ready; a big change from before.",
        "Security training was short and to the point.",
        "When the CRM went down they told us within minutes and gave a workaround.",
        "The chat channel for quick questions is great.",
        "Our printer issue was fixed on the first visit.",
    ],
    (EXECUTIVE_OFFICE, "low"): [
        "Decisions reach us through the grapevine before any announcement.",
        "We would like to know the reasons behind the reorganisation, not only the result.",
        "Town halls are too rare to ask questions that matter.",
    ],
    (EXECUTIVE_OFFICE, "high"): [
        "The quarterly update was clear and honest about what went wrong.",
        "Approvals came quickly when we needed them.",
    ],
    ("management", "low"): [
        "Our manager is stretched too thin to help when shifts are short.",
        "Schedules change at the last minute without asking us.",
        "Feedback only comes when something goes wrong.",
        "We hear about changes to our own team from other departments first.",
        "One-to-ones are cancelled more often than they happen.",
    ],
    ("management", "high"): [
        "My manager backs us up in front of other departments.",
        "Good weekly stand-ups: we know what is coming.",
        "Leave requests are answered the same day.",
    ],
    (None, "low"): [
        "Replies take days, even for simple questions.",
        "Hard to know whom to ask; the shared mailbox is not answered.",
        "They were polite but the work came back wrong twice.",
        "Please keep us informed when a request is delayed.",
    ],
    (None, "high"): [
        "Always helpful and quick to respond.",
        "They take ownership and follow through.",
        "Friendly, reliable and easy to work with.",
        "Good communication throughout the quarter.",
    ],
}

FIRST_NAMES = [
    "Aaron",
    "Abigail",
    "Adam",
    "Adriana",
    "Aisha",
    "Alan",
    "Alice",
    "Amara",
    "Amir",
    "Ana",
    "Andrew",
    "Anita",
    "Arjun",
    "Ben",
    "Bianca",
    "Carla",
    "Carlos",
    "Chen",
    "Chloe",
    "Daniel",
    "Diana",
    "Dmitri",
    "Elena",
    "Eli",
    "Emma",
    "Ethan",
    "Fatima",
    "Felix",
    "Grace",
    "Hannah",
    "Hugo",
    "Ines",
    "Isaac",
    "Ivy",
    "Jack",
    "Jamal",
    "Jana",
    "Javier",
    "Julia",
    "Karim",
    "Kate",
    "Kenji",
    "Lara",
    "Leo",
    "Lina",
    "Lucas",
    "Maya",
    "Mei",
    "Mohammed",
    "Nadia",
    "Nathan",
    "Nina",
    "Noah",
    "Olivia",
    "Omar",
    "Paula",
    "Priya",
    "Rafael",
    "Rosa",
    "Ruth",
    "Samuel",
    "Sara",
    "Sofia",
    "Tariq",
    "Tom",
    "Vera",
    "Victor",
    "Yusuf",
    "Zara",
    "Zoe",
]
LAST_NAMES = [
    "Adams",
    "Ahmed",
    "Alvarez",
    "Baker",
    "Bauer",
    "Becker",
    "Brooks",
    "Campbell",
    "Chen",
    "Clarke",
    "Costa",
    "Cruz",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Gupta",
    "Hansen",
    "Hughes",
    "Ibrahim",
    "Ito",
    "Jensen",
    "Kaur",
    "Keller",
    "Khan",
    "Kim",
    "Kowalski",
    "Larsen",
    "Lee",
    "Lopez",
    "Martin",
    "Meyer",
    "Moreau",
    "Murphy",
    "Nakamura",
    "Nguyen",
    "Novak",
    "Okafor",
    "Olsen",
    "Patel",
    "Perez",
    "Quinn",
    "Reed",
    "Rossi",
    "Santos",
    "Schmidt",
    "Silva",
    "Singh",
    "Smith",
    "Sullivan",
    "Tanaka",
    "Taylor",
    "Torres",
    "Turner",
    "Walsh",
    "Weber",
    "Williams",
    "Wong",
    "Young",
    "Zhang",
]

# The four accounts `seed_demo` prints; they are created first, so they exist at any size.
PERSONAS = [
    ("DEMO-0001", "Emma Lopez", "Sales", Role.EMPLOYEE),
    ("DEMO-0002", "Marcus Reed", "Customer Service", Role.MANAGER),
    ("DEMO-0003", "Elena Fischer", EXECUTIVE_OFFICE, Role.EXECUTIVE),
    ("DEMO-0004", "Hannah Okafor", "Human Resources", Role.HR),
]


@dataclass
class DemoResult:
    departments_created: int = 0
    people_created: int = 0
    cycles_created: list[str] = field(default_factory=list)
    answers_written: int = 0
    commitments_created: int = 0  # by actions.demo, which completes the story
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # (role, name, email)
    password: str = DEMO_PASSWORD


def email_for(full_name: str) -> str:
    return f"{full_name.lower().replace(' ', '.')}@{DEMO_DOMAIN}"


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def previous_quarters(year: int, quarter: int, count: int) -> list[tuple[int, int]]:
    """The `count` quarters before (year, quarter), oldest first."""
    result = []
    for _ in range(count):
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        result.append((year, quarter))
    return result[::-1]


def quarter_dates(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    """Opening and closing days of a past quarter's survey: the first three weeks of its last month."""
    month = quarter * 3
    opens = datetime.date(year, month, 1)
    return opens, opens + datetime.timedelta(days=20)


def seed_demo(*, people: int = DEFAULT_PEOPLE, today: datetime.date | None = None) -> DemoResult:
    """Build (or complete) the demo company; returns what was created and the sign-in accounts."""
    today = today or timezone.localdate()
    result = DemoResult()
    rng = random.Random(SEED)
    with transaction.atomic():
        departments = _departments(result)
        _people(departments, people, rng, result)
    year, quarter = quarter_of(today)
    for stage, (past_year, past_quarter) in enumerate(previous_quarters(year, quarter, 3)):
        _past_cycle(f"{past_year}-Q{past_quarter}", stage, departments, today, result)
    _current_cycle(f"{year}-Q{quarter}", today, result)
    result.accounts = [(role.label, name, email_for(name)) for _, name, _, role in PERSONAS]
    return result


def _departments(result: DemoResult) -> dict[str, Department]:
    existing = {d.name: d for d in Department.objects.filter(name__in=[row[0] for row in DEPARTMENTS])}
    missing = [
        Department(
            name=name,
            slug=name.lower().replace(" ", "-"),
            is_executive_office=name == EXECUTIVE_OFFICE,
        )
        for name, *_ in DEPARTMENTS
        if name not in existing
    ]
    Department.objects.bulk_create(missing)
    result.departments_created = len(missing)
    return {d.name: d for d in Department.objects.filter(name__in=[row[0] for row in DEPARTMENTS])}


def _roster(people: int, rng: random.Random) -> list[tuple[str, str, str, str]]:
    """(employee_id, full name, department, role) for everyone, personas first; deterministic."""
    roster = list(PERSONAS)
    names = {name for _, name, _, _ in PERSONAS}
    counts = {name: max(3, round(share * people)) for name, share, *_ in DEPARTMENTS}
    # Rounding shares rarely lands on the exact headcount: the largest department absorbs the rest.
    counts["Operations"] += people - sum(counts.values())
    for _, _, department, _ in PERSONAS:
        counts[department] -= 1
    number = len(PERSONAS)
    pairs_left = len({f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES} - names)
    for department, count in counts.items():
        for index in range(max(count, 0)):
            # The pairs first, drawn as they always were: a demo of a size that fitted keeps its people.
            name = _new_name(rng, names, numbered=not pairs_left)
            names.add(name)
            pairs_left = max(pairs_left - 1, 0)
            hr_staff = 2 if department == "Human Resources" else 0
            managers = 1 + (count >= 8) + count // 30
            if department == EXECUTIVE_OFFICE:
                role = Role.EXECUTIVE if index < count - 2 else Role.EMPLOYEE  # the executives and two assistants
            elif index < hr_staff:
                role = Role.HR
            elif index < hr_staff + managers:
                role = Role.MANAGER
            else:
                role = Role.EMPLOYEE
            number += 1
            roster.append((f"DEMO-{number:04d}", name, department, role))
    return roster


def _new_name(rng: random.Random, taken: set[str], *, numbered: bool) -> str:
    """A random first and last name nobody has yet; `numbered` (every pair of the lists is taken),
    with the next free number added ("Ana Silva 2"), so that any headcount works."""
    while True:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if numbered:
            suffix = 2
            while f"{name} {suffix}" in taken:
                suffix += 1
            return f"{name} {suffix}"
        if name not in taken:
            return name


def _people(departments: dict[str, Department], people: int, rng: random.Random, result: DemoResult) -> None:
    User = get_user_model()
    roster = _roster(people, rng)
    known_ids = set(
        Employee.objects.filter(employee_id__in=[r[0] for r in roster]).values_list("employee_id", flat=True)
    )
    todo = [row for row in roster if row[0] not in known_ids]
    if not todo:
        return
    # One hash for everyone: hashing 250 passwords one by one would take minutes.
    password = make_password(DEMO_PASSWORD)
    emails = [email_for(name) for _, name, _, _ in todo]
    known_users = {u.email: u for u in User.objects.filter(email__in=emails)}
    new_users = [
        User(email=email_for(name), full_name=name, password=password, is_staff=is_staff_for(role))
        for _, name, _, role in todo
        if email_for(name) not in known_users
    ]
    User.objects.bulk_create(new_users)
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    Employee.objects.bulk_create(
        [
            Employee(employee_id=eid, user=users[email_for(name)], department=departments[dept], role=role)
            for eid, name, dept, role in todo
        ]
    )
    assign_role_groups({users[email_for(name)].id: role for _, name, _, role in todo})
    result.people_created = len(todo)


def _past_cycle(name: str, stage: int, departments: dict[str, Department], today, result: DemoResult) -> None:
    from surveys.rollups import rollup_compute

    cycle = Cycle.objects.filter(name=name).first()
    if cycle is not None and cycle.answers.exists():
        return
    year, quarter = int(name[:4]), int(name[-1])
    opens, closes = quarter_dates(year, quarter)
    opened_at = timezone.make_aware(datetime.datetime.combine(opens, datetime.time(9)))
    closed_at = timezone.make_aware(datetime.datetime.combine(closes, datetime.time(23, 59)))
    with transaction.atomic():
        if cycle is None:
            cycle = Cycle.objects.create(name=name)
        # History is written as it happened: open for three weeks, then closed.
        Cycle.objects.filter(pk=cycle.pk).update(
            status=Cycle.Status.CLOSED, opens_at=opened_at, closes_on=closes, closed_at=closed_at
        )
        snapshot_headcount(cycle)
        result.answers_written += _answers(cycle, stage, departments, opened_at, random.Random(SEED + stage))
    # Published once rolled up, as HR would (publishing waits for the roll-up to finish).
    rollup_compute(cycle_id=cycle.id)
    cycle_publish(cycle=cycle)
    Cycle.objects.filter(pk=cycle.pk).update(published_at=closed_at + datetime.timedelta(days=7))
    result.cycles_created.append(name)


def _current_cycle(name: str, today: datetime.date, result: DemoResult) -> None:
    if Cycle.objects.filter(name=name).exclude(status=Cycle.Status.DRAFT).exists():
        return
    if Cycle.objects.filter(status=Cycle.Status.OPEN).exists():
        return  # someone opened another cycle by hand: leave it be
    # Three weeks from the later of the demo's day and the real one: a demo seeded for a fixed day
    # (the browser tests') still has a cycle people can answer.
    cycle_open(name=name, closes_on=max(today, timezone.localdate()) + datetime.timedelta(days=21))
    result.cycles_created.append(name)


def _answers(cycle: Cycle, stage: int, departments: dict[str, Department], opened_at, rng: random.Random) -> int:
    """Pick respondents (70–85% per department), their providers, and draw their scores."""
    np_rng = np.random.default_rng(SEED + 1000 * stage)
    by_name = {row[0]: row for row in DEPARTMENTS}
    dept_name = {d.id: name for name, d in departments.items()}
    dimension_ids = dict(Dimension.objects.values_list("slug", "id"))
    staff = list(
        Employee.objects.active()
        .filter(department__in=departments.values())
        .exclude(employee_id__in=[p[0] for p in PERSONAS])  # the demo accounts still have every survey to try
        .order_by("employee_id")
        .values_list("id", "department_id", "role")
    )
    provider_names = [row[0] for row in DEPARTMENTS]
    weights = [row[4] for row in DEPARTMENTS]

    # (respondent, rater department, provider department, provider quality, this rater's mean, provider
    # name for its dimension offsets; None for the management scope, which has none)
    pairs = []
    participations = []
    self_views: list[SelfViewAnswer] = []
    # A generator of its own: the self-views must not change the draws of the story above.
    self_rng = random.Random(SEED + 7 + stage)
    for department_id in sorted({d for _, d, _ in staff}):
        members = [s for s in staff if s[1] == department_id]
        rate = rng.uniform(0.70, 0.85)
        chosen = rng.sample(members, k=max(1, round(rate * len(members))))
        own = dept_name[department_id]
        for employee_id, _, role in chosen:
            respondent = new_respondent_key()
            submitted = opened_at + datetime.timedelta(minutes=rng.randint(10, 20 * 24 * 60))
            participations.append(
                Participation(employee_id=employee_id, cycle=cycle, department_id=department_id, submitted_at=submitted)
            )
            leniency = rng.gauss(0, 0.3)
            self_views += _self_views(
                cycle,
                department_id,
                by_name[own],
                stage,
                manages=role in MANAGEMENT_ROLES,
                rng=self_rng,
                ids=dimension_ids,
            )
            if role not in MANAGEMENT_ROLES:
                management = by_name[own][3]
                pairs.append((respondent, department_id, department_id, management, management + leniency, None))
            others = [n for n in provider_names if n != own]
            count = rng.randint(3, 6)
            dealt_with = set()
            while len(dealt_with) < count:
                dealt_with.add(rng.choices(others, weights=[weights[provider_names.index(n)] for n in others])[0])
            for provider in sorted(dealt_with):
                quality = by_name[provider][2][stage]
                pairs.append(
                    (respondent, department_id, departments[provider].id, quality, quality + leniency, provider)
                )

    written = _write(cycle, pairs, participations, dimension_ids, np_rng, stage=stage)
    self_rng.shuffle(self_views)  # rows in random order, as the ballot box writes them
    SelfViewAnswer.objects.bulk_create(self_views)
    return written


# How much better than the truth people think others see them: a little for their department as
# a supplier (Gilbert 2000), much more for managers about their own management.
SELF_VIEW_OPTIMISM = {SUPPLIER: 0.4, MANAGEMENT: 0.9}
SELF_VIEW_RATE = 0.8  # the self-view is optional: most answer it


def _self_views(cycle, department_id, department_row, stage, *, manages: bool, rng, ids) -> list[SelfViewAnswer]:
    """One respondent's self-view answers (under a key of their own, as the ballot box gives them)."""
    if rng.random() >= SELF_VIEW_RATE:
        return []
    truths = {SUPPLIER: department_row[2][stage]}
    if manages:
        truths[MANAGEMENT] = department_row[3]
    respondent = new_respondent_key()
    return [
        SelfViewAnswer(
            cycle=cycle,
            respondent=respondent,
            department_id=department_id,
            scope=scope,
            dimension_id=ids[slug],
            score=min(5, max(1, round(truth + SELF_VIEW_OPTIMISM[scope] + rng.gauss(0, 0.6)))),
        )
        for scope, truth in truths.items()
        for slug in SERVICE_DIMENSIONS
    ]


def _offsets(stage: int) -> pd.DataFrame:
    """Each provider's dimension offsets in this past quarter (DEPARTMENTS, then STORY_OFFSETS)."""
    rows = {(name, slug): offset for name, *_, extra in DEPARTMENTS for slug, offset in extra.items()}
    for key, by_stage in STORY_OFFSETS.items():
        if stage in by_stage:
            rows[key] = by_stage[stage]
    return pd.DataFrame([(*key, offset) for key, offset in rows.items()], columns=["provider", "slug", "offset"])


def _write(cycle, pairs, participations, dimension_ids, np_rng, *, stage: int) -> int:
    """Expand (respondent, provider) pairs into one answer per dimension and draw the scores."""
    pairs_frame = pd.DataFrame(
        pairs, columns=["respondent", "rater_department_id", "provider_department_id", "quality", "mu", "provider"]
    )
    dims = pd.DataFrame({"slug": list(ALL_DIMENSIONS)})
    dims["dimension_id"] = dims["slug"].map(dimension_ids)
    frame = pairs_frame.merge(dims, how="cross")
    offsets = _offsets(stage)
    frame = frame.merge(offsets, on=["provider", "slug"], how="left").fillna({"offset": 0.0})
    is_expectation = (frame["slug"] == EXPECTATION).to_numpy()
    # Expectations sit a little above what people usually get, most of all where service is poor.
    expected = np.maximum(frame["quality"].to_numpy(), 3.2) + 0.45
    mu = np.where(is_expectation, expected, frame["mu"].to_numpy() + frame["offset"].to_numpy())
    frame["score"] = np.clip(np.rint(mu + np_rng.normal(0, 0.75, len(frame))), 1, 5).astype("int64")
    frame["score"] = _outcomes(frame, np_rng)
    # The odd skipped question; the expectation is always answered.
    frame = frame[is_expectation | (np_rng.random(len(frame)) >= 0.03)].copy()
    frame["cycle_id"] = cycle.id
    Participation.objects.bulk_create(participations)
    written = write_answers(frame)
    _comments(cycle, pairs_frame, np_rng)
    return written


def _outcomes(frame: pd.DataFrame, np_rng) -> np.ndarray:
    """The scores with each pair's outcome answer drawn from its dimension scores (OUTCOME_DRIVERS).

    `frame` holds one row per pair and question, pair by pair in ALL_DIMENSIONS order (a cross join)."""
    questions = len(ALL_DIMENSIONS)
    scores = frame["score"].to_numpy().reshape(-1, questions).astype("float64")
    usual = frame["mu"].to_numpy()[::questions]
    verdict = usual.copy()
    for slug, weight in OUTCOME_DRIVERS.items():
        verdict += weight * (scores[:, ALL_DIMENSIONS.index(slug)] - usual)
    noise = np_rng.normal(0, 0.45, len(verdict))
    scores[:, ALL_DIMENSIONS.index(OUTCOME)] = np.clip(np.rint(verdict + noise), 1, 5)
    return scores.ravel().astype("int64")


def _comments(cycle, pairs_frame: pd.DataFrame, np_rng) -> None:
    """Some raters comment on a provider they rated, in the tone their own scores would have.

    Anonymous like the survey's: no respondent key, rows in random order (bulk insert of a
    shuffled list), as the ballot box writes them."""
    management = (pairs_frame["provider"].isna()).to_numpy()
    names = dict(
        Department.objects.filter(pk__in=pairs_frame["provider_department_id"].unique()).values_list("pk", "name")
    )
    provider = pairs_frame["provider_department_id"].map(names)
    rate = np.where(
        management,
        provider.map(MANAGEMENT_COMMENT_RATES).fillna(0.0),
        provider.map(COMMENT_RATES).fillna(COMMENT_RATE_OTHERS),
    )
    chosen = pairs_frame[np_rng.random(len(pairs_frame)) < rate]
    rows = []
    columns = [chosen[c] for c in ("rater_department_id", "provider_department_id", "mu")]
    for rater, provider_id, mu, is_management in zip(*columns, chosen["provider"].isna(), strict=True):
        tone = "high" if mu + np_rng.normal(0, 0.5) >= 3.6 else "low"
        bank = COMMENTS.get(("management" if is_management else names[provider_id], tone)) or COMMENTS[(None, tone)]
        text = bank[int(np_rng.integers(len(bank)))]
        rows.append(Comment(cycle=cycle, rater_department_id=rater, provider_department_id=provider_id, text=text))
    np_rng.shuffle(rows)
    Comment.objects.bulk_create(rows)
