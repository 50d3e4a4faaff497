"""Commitments a department makes to its internal customers after a cycle's results, and training.

A commitment is about one scorecard row — (department, scope, dimension) of the cycle whose results
prompted it — and is judged by that row in the next cycle with results (actions.verdicts), never by
its `status`, which its owners set. Drafts (`published_at` empty) are seen only by the department's
managers and HR. Training modules are written per dimension; a completion is one person's and is
only ever shown as counts per department.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy

from reports.models import Scope
from surveys.dimensions import SCOPES, SERVICE_DIMENSIONS
from surveys.models import Cycle, Department, Employee

TEXT_MAX = 1000
UPDATE_MAX = 1000
DIMENSION_CHOICES = [(slug, slug.capitalize()) for slug in SERVICE_DIMENSIONS]


class CommitmentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def drafts(self):
        return self.filter(published_at__isnull=True)


class Commitment(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("commitment status", "Open")
        DONE = "done", pgettext_lazy("commitment status", "Done")
        DROPPED = "dropped", pgettext_lazy("commitment status", "Dropped")

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="commitments", help_text="The results it answers."
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="commitments")
    scope = models.CharField(max_length=10, choices=Scope.choices)
    dimension = models.CharField(max_length=32, choices=DIMENSION_CHOICES)
    text = models.TextField("what we will do", validators=[MaxLengthValidator(TEXT_MAX)])
    owner = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="owned_commitments")
    due = models.DateField("due by")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    especially_for = models.ManyToManyField(
        Department,
        blank=True,
        related_name="+",
        help_text="Supplier scope: the departments it serves that rated it lowest, named as especially for.",
    )
    modules = models.ManyToManyField("TrainingModule", blank=True, related_name="commitments")
    published_at = models.DateTimeField(null=True, blank=True, help_text="Empty while it is a draft.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "department", "scope", "dimension", "id"]
        indexes = [models.Index(fields=["cycle", "department"], name="commitment_cycle_department")]
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=list(SCOPES)), name="commitment_scope"),
            models.CheckConstraint(condition=Q(dimension__in=list(SERVICE_DIMENSIONS)), name="commitment_dimension"),
            models.CheckConstraint(condition=Q(status__in=["open", "done", "dropped"]), name="commitment_status"),
        ]

    def __str__(self):
        return f"{self.department} on {self.dimension} ({self.scope}, {self.cycle})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class ProgressUpdate(models.Model):
    """A dated note on how a commitment is going, written by the department's managers or HR."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField(validators=[MaxLengthValidator(UPDATE_MAX)])
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["written_at", "id"]


class TrainingModule(models.Model):
    """What good service looks like on one dimension: for everyone (`module`) or for managers
    discussing their results with their team (`coaching`). Written in plain text; HR edits and
    adds modules in the admin."""

    class Kind(models.TextChoices):
        MODULE = "module", "Module for everyone"
        COACHING = "coaching", "Coaching guide for managers"

    slug = models.SlugField(max_length=80, unique=True)
    dimension = models.CharField(max_length=32, choices=DIMENSION_CHOICES)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.MODULE)
    title = models.CharField(max_length=120)
    summary = models.CharField(max_length=300)
    body = models.TextField(help_text="Plain text; a blank line starts a new paragraph.")
    moments = models.TextField(blank=True, help_text="The 'that's not my job' moments: one per line, shown as a list.")
    self_check = models.TextField(blank=True, help_text="Questions to ask yourself: one per line.")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "dimension", "kind", "title"]

    def __str__(self):
        return self.title

    # The texts in the reader's language: the stored English through the catalogue (the starter
    # modules of migration 0002 are translated there), so a text HR rewrote in the admin shows as
    # written. The body, moments and self-check are translated a paragraph or a line at a time
    # (actions.training.module_page).
    @property
    def shown_title(self) -> str:
        return gettext(self.title) if self.title else self.title

    @property
    def shown_summary(self) -> str:
        return gettext(self.summary) if self.summary else self.summary


class TrainingCompletion(models.Model):
    """One person has worked through one module. Never shown per person: only counted by department."""

    module = models.ForeignKey(TrainingModule, on_delete=models.CASCADE, related_name="completions")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="training_completions")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", help_text="The person's department when done."
    )
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["module", "employee"], name="one_completion_per_person")]


class ActionNotice(models.Model):
    """One message about commitments sent to one person: the unique key makes every reminder and
    news mail idempotent (a restart or a second beat tick sends nothing twice)."""

    class Kind(models.TextChoices):
        TOP_OPENS = "top_opens", "Results published: the top opens the cascade"
        MAY_PUBLISH = "may_publish", "Your department may publish its commitments"
        DUE_SOON = "due_soon", "A commitment is due soon"
        OVERDUE = "overdue", "A commitment is past its due date"
        ADDRESSED = "addressed", "Commitments addressed to your department"
        RECOGNISED = "recognised", "Your department is recognised in the results"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(
        max_length=64, blank=True, help_text="What it is about beyond the cycle: a commitment or department id."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(fields=["kind", "cycle", "employee", "subject"], name="one_action_notice")
        ]
