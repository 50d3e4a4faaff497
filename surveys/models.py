"""The org (departments, employees), survey cycles, dimensions and the answers.

Anonymity is structural: *who took part* (Participation, Draft) never shares a key with *what was
answered* (Answer, Comment). A submission seals its answers in a Ballot (no person key); the
ballot box (services/ballots.py) later moves ballots into Answer and Comment in shuffled batches
of at least the cycle's minimum group size. Answers carry no counting key (they are keyed by the
question answered), no timestamp and no ordering; the only thing that groups one person's answers
is `respondent`, a random number drawn when their ballot is moved and stored nowhere else, which
the roll-up needs to count distinct raters.
"""

import secrets
import uuid
from collections.abc import Mapping

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from .dimensions import SERVICE_DIMENSIONS
from .roles import MANAGEMENT_ROLES, Role

CYCLE_NAME_RE = r"^\d{4}-Q[1-4]$"
EXECUTIVE_OFFICE = "Executive Office"


def default_min_group_size() -> int:
    return settings.MIN_GROUP_SIZE


def new_respondent_key() -> int:
    return secrets.randbits(62) + 1


class Department(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    is_executive_office = models.BooleanField(
        default=False, help_text="The CEO and executive team. Listed first on every survey."
    )

    class Meta:
        ordering = ["-is_executive_office", "name"]

    def __str__(self):
        return self.name


class EmployeeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(user__is_active=True)


class Employee(models.Model):
    """A person of the org file. Signs in as `user`; deactivated (user inactive), never deleted."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="employee")
    employee_id = models.CharField("employee ID", max_length=64, unique=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="employees")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.EMPLOYEE)
    # The org file's `language` column (empty: not given); it wins over the person's own choice.
    language = models.CharField(max_length=8, blank=True, default="", choices=settings.LANGUAGES)
    # The person's choice in the navigation bar (chainsurvey.middleware), used when the file gives none.
    chosen_language = models.CharField(max_length=8, blank=True, default="", choices=settings.LANGUAGES)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        ordering = ["employee_id"]

    def __str__(self):
        return f"{self.full_name} ({self.employee_id})"

    @property
    def full_name(self) -> str:
        return self.user.full_name

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def is_active(self) -> bool:
        return self.user.is_active

    @property
    def rates_own_management(self) -> bool:
        return self.role not in MANAGEMENT_ROLES


class CycleQuerySet(models.QuerySet):
    def with_results(self):
        """Cycles whose results may be shown (`Cycle.results_visible`) and are rolled up: their
        roll-up summary exists. The summary is reports' (its reverse relation `rollup_summary`),
        named by lookup so that surveys imports nothing of reports."""
        return self.filter(Cycle.results_visible_condition(), rollup_summary__isnull=False)


class Cycle(models.Model):
    """One quarterly survey round, named YYYY-Qn."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("cycle status", "Draft")
        OPEN = "open", pgettext_lazy("cycle status", "Open")
        CLOSED = "closed", pgettext_lazy("cycle status", "Closed")
        PUBLISHED = "published", pgettext_lazy("cycle status", "Published")

    # When a cycle's results may be shown: once it is published, and history imported from another
    # tool as soon as it is closed. Each status maps to the `is_historical` it requires (None: any).
    # The one statement of the rule: `results_visible` reads it for one cycle, SQL through
    # `results_visible_condition` (and `Cycle.objects.with_results()`).
    RESULTS_VISIBLE = {Status.PUBLISHED: None, Status.CLOSED: True}

    name = models.CharField(
        max_length=7,
        unique=True,
        validators=[RegexValidator(CYCLE_NAME_RE, "A cycle is named YYYY-Qn, e.g. 2026-Q3.")],
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True, help_text="Answers are accepted until the end of this day.")
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    min_group_size = models.PositiveSmallIntegerField(
        default=default_min_group_size,
        validators=[MinValueValidator(1)],
        help_text="Smallest group whose results are shown; fixed when the cycle is created.",
    )
    is_historical = models.BooleanField(
        default=False, help_text="Imported from another tool: results are shown as soon as they are rolled up."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-name"]
        constraints = [
            models.UniqueConstraint(fields=["status"], condition=Q(status="open"), name="one_open_cycle"),
            models.CheckConstraint(condition=Q(min_group_size__gte=1), name="cycle_min_group_size_positive"),
        ]
        permissions = [
            ("view_own_department_results", "Can see their own department's scorecard"),
            ("view_all_results", "Can see every dashboard and scorecard"),
            ("export_results", "Can export scorecards"),
            ("manage_cycles", "Can open, close and publish cycles"),
        ]

    def __str__(self):
        return self.name

    @property
    def accepts_answers(self) -> bool:
        if self.status != self.Status.OPEN:
            return False
        return self.closes_on is None or timezone.localdate() <= self.closes_on

    @property
    def results_visible(self) -> bool:
        if self.status not in self.RESULTS_VISIBLE:
            return False
        historical = self.RESULTS_VISIBLE[self.status]
        return historical is None or self.is_historical == historical

    @classmethod
    def results_visible_condition(cls, prefix: str = "") -> Q:
        """`results_visible` as a filter, of cycles or (with `prefix`, e.g. "cycle__") of what points to them."""
        condition = Q()
        for status, historical in cls.RESULTS_VISIBLE.items():
            each = {f"{prefix}status": status} | ({} if historical is None else {f"{prefix}is_historical": historical})
            condition |= Q(**each)
        return condition


class CycleHeadcount(models.Model):
    """Active employees per department when a cycle opened: the denominator of response rates."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="headcounts")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    eligible = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "department"], name="one_headcount_per_department")]


class DimensionQuerySet(models.QuerySet):
    def service(self):
        """The six service dimensions: not the expectation, not the outcome."""
        return self.filter(slug__in=SERVICE_DIMENSIONS)


class Dimension(models.Model):
    """The six service dimensions, the expectation and the outcome question (created by data migrations)."""

    id = models.SmallAutoField(primary_key=True)
    slug = models.SlugField(max_length=32, unique=True)
    label = models.CharField(max_length=80)
    question = models.CharField(max_length=300, help_text="What the rater is asked.")
    position = models.PositiveSmallIntegerField(default=0)
    is_expectation = models.BooleanField(default=False)

    objects = DimensionQuerySet.as_manager()

    class Meta:
        ordering = ["is_expectation", "position"]

    def __str__(self):
        return self.label


class Participation(models.Model):
    """Who took part: one row per person and cycle, written when the survey is submitted."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="participations")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="participations")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", help_text="The person's department when submitting."
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employee", "cycle"], name="one_participation_per_cycle")]

    def __str__(self):
        return f"{self.employee} took part in {self.cycle}"


class Draft(models.Model):
    """A person's unfinished survey: the only named answers. Deleted in the transaction that submits
    it, or in the one that closes the cycle."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="drafts")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="drafts")
    providers = models.JSONField(default=list, help_text="Ids of the departments chosen in the screener.")
    answers = models.JSONField(default=dict, help_text="Department id → question → value, as typed.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employee", "cycle"], name="one_draft_per_cycle")]

    @property
    def keyed_answers(self) -> dict[tuple[int, str], object]:
        """The answers by (department id, question); JSON keeps the id as text, one object per department."""
        return {
            (int(provider) if provider.isdigit() else provider, question): value  # or a SELF_VIEW_SECTIONS key
            for provider, questions in self.answers.items()
            for question, value in questions.items()
        }

    @keyed_answers.setter
    def keyed_answers(self, answers: Mapping[tuple[int, str], object]) -> None:
        stored: dict[str, dict[str, object]] = {}
        for (provider_id, question), value in answers.items():
            stored.setdefault(str(provider_id), {})[question] = value
        self.answers = stored


class Ballot(models.Model):
    """A submitted survey waiting in the ballot box: its answers and comments, sealed.

    Written in the submission's transaction next to the Participation, so it carries no person key,
    no timestamp and no respondent key; the ballot box deletes it in the transaction that moves its
    content into Answer and Comment. `rater_department` is kept apart because batches are counted
    per department (answers carry it too, so a batch must hide each department's people among at
    least the minimum group size).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="+", db_index=False)
    rater_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", db_index=False)
    answers = models.JSONField(default=list, help_text="[provider id, dimension id, score] per answer.")
    comments = models.JSONField(default=list, help_text="[provider id, text] per comment.")
    self_views = models.JSONField(default=list, help_text="[scope, dimension id, score] per self-view answer.")

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["cycle", "rater_department"], name="ballot_cycle_department")]


class Answer(models.Model):
    """What was answered: one score by one anonymous respondent for one provider and dimension.

    No foreign key, timestamp or ordering leads to a person (see the module docstring). The key is
    the question answered, (cycle, respondent, provider, dimension): one answer per question, and
    nothing that counts up (the respondent key is random). It is the table's only index: it leads
    with `cycle`, which is the only way answers are read, and every extra index slows bulk imports
    (a separate random id cost a third of a 720,000-row import, bench/import_responses.py).
    """

    pk = models.CompositePrimaryKey("cycle", "respondent", "provider_department", "dimension")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="answers", db_index=False)
    respondent = models.BigIntegerField(help_text="Random per person and cycle; links to nobody.")
    rater_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", db_index=False)
    provider_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", db_index=False)
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+", db_index=False)
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        default_permissions = ()
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="answer_score_1_to_5"),
        ]


class SelfViewAnswer(models.Model):
    """How one anonymous person thinks others rate their own department (`department`, theirs) in a
    scope: `supplier` (the departments it serves) or `management` (its staff, rating its managers).

    Moved out of the ballot box with the answers, as anonymous as they are (no person key, no
    timestamp; `respondent` is drawn afresh at the move and is not the ballot's Answer key, so a
    self-view does not lead to its author's ratings). A table of its own so that no scorecard
    reader can count it: the roll-up reads it only for the self-view figures (reports.selfview).
    """

    pk = models.CompositePrimaryKey("cycle", "respondent", "scope", "dimension")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="self_views", db_index=False)
    respondent = models.BigIntegerField(help_text="Random per ballot; links to nobody.")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", db_index=False)
    scope = models.CharField(max_length=10)
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+", db_index=False)
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        default_permissions = ()
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="self_view_score_1_to_5"),
        ]


class Comment(models.Model):
    """A free-text comment for one provider. Deliberately without `respondent`: a comment's words
    can give a person away, and must not then lead to their scores."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="comments", db_index=False)
    rater_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", db_index=False)
    provider_department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", db_index=False)
    text = models.TextField(max_length=2000)

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["cycle", "provider_department"], name="comment_cycle_provider")]
