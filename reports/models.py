"""Roll-up runs and snapshot tables: what dashboards and exports read, never raw answers.

A run marked `started` is redone from scratch; `done` means its snapshot is complete and current.
"""

from django.db import models
from django.utils import timezone

from surveys import dimensions
from surveys.models import Cycle


class RollupRunQuerySet(models.QuerySet):
    def latest_for(self, cycle):
        """The cycle's latest run (the last requested; the highest id breaks a tie), as a queryset of
        at most one row: `.first()` for the run, `.values(...)` for a subquery. `cycle` is a cycle,
        its id or an OuterRef to one."""
        return self.filter(cycle=cycle).order_by("-requested_at", "-id")[:1]

    def pending(self):
        """Runs still on their way: requested, or started and not finished."""
        return self.filter(state__in=(RollupRun.State.REQUESTED, RollupRun.State.STARTED))

    def finished(self):
        """Runs that will not run again: done, or failed (and replaced by a fresh request, if any)."""
        return self.filter(state__in=(RollupRun.State.DONE, RollupRun.State.FAILED))

    def mark_failed(self, error: str) -> int:
        """Record that these runs failed for good, with why; returns how many changed. A run already
        done is left alone: a late failure report must not hide a finished snapshot."""
        return self.exclude(state=RollupRun.State.DONE).update(
            state=RollupRun.State.FAILED, finished_at=timezone.now(), error=error[:2000]
        )


class RollupRun(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", "Requested"
        STARTED = "started", "Started"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="rollup_runs")
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When it reached the Celery broker; empty while the broker was unreachable."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    answers_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="Answers the roll-up was computed over."
    )
    error = models.TextField(blank=True)

    objects = RollupRunQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["state", "requested_at"], name="rollup_run_state")]

    def __str__(self):
        return f"Roll-up of {self.cycle} ({self.get_state_display()})"


class Scope(models.TextChoices):
    SUPPLIER = dimensions.SUPPLIER, "Supplier"
    MANAGEMENT = dimensions.MANAGEMENT, "Management"


class _Figures(models.Model):
    """The figures of one snapshot row, unrounded. A suppressed row stores none of them: only the
    flag, so that nothing of a group below the cycle's minimum size is kept, let alone shown."""

    dimension = models.CharField(max_length=32, help_text="A dimension slug, or 'overall'.")
    respondents = models.PositiveIntegerField(null=True, blank=True)
    ratings = models.PositiveIntegerField(null=True, blank=True)
    mean = models.FloatField(null=True, blank=True)
    favorable_pct = models.FloatField(null=True, blank=True)
    ci_low = models.FloatField(null=True, blank=True, help_text="95 % confidence interval of the mean (Student t).")
    ci_high = models.FloatField(null=True, blank=True)
    expectation_mean = models.FloatField(null=True, blank=True)
    gap = models.FloatField(null=True, blank=True)
    delta = models.FloatField(null=True, blank=True, help_text="Mean minus the previous cycle's mean.")
    delta_p_value = models.FloatField(null=True, blank=True, help_text="Welch's t-test of the two cycles' ratings.")
    delta_significant = models.BooleanField(null=True, blank=True, help_text="p < 0.05.")
    rank = models.PositiveIntegerField(null=True, blank=True)
    suppressed = models.BooleanField()
    variance = models.FloatField(
        null=True,
        blank=True,
        help_text="Sample variance of the ratings (not shown): the next cycle's significance tests read it.",
    )

    class Meta:
        abstract = True


class DepartmentResult(_Figures):
    """One scorecard row: a department in one scope (supplier or management) and one dimension."""

    # No database-level foreign keys on the two big snapshot tables: checking ~11,000 rows × 3 keys
    # was a third of a roll-up's time, and it guards nothing. Every id here was read, in the same
    # transaction, from answers whose own foreign keys (PROTECT) guarantee the rows exist; deleting
    # a cycle still cascades through the ORM.
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="department_results", db_constraint=False)
    department = models.ForeignKey(
        "surveys.Department", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    scope = models.CharField(max_length=10, choices=Scope.choices)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "department", "scope", "dimension"], name="one_department_result_per_key"
            )
        ]


class LinkResult(_Figures):
    """One link row: the ratings given by the rater department's staff to the provider department
    in one dimension. The diagonal (rater == provider) is the management scope."""

    # No database-level foreign keys: see DepartmentResult. No index of their own either: every read
    # filters by cycle, which the unique constraint's index leads with, and maintaining three more
    # indexes took ~40 % of writing a roll-up's ~11,000 link rows. (Deleting a department scans the
    # table for its PROTECT check instead: a rare admin action.)
    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="link_results", db_constraint=False, db_index=False
    )
    rater_department = models.ForeignKey(
        "surveys.Department", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    provider_department = models.ForeignKey(
        "surveys.Department", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    scope = models.CharField(max_length=10, choices=Scope.choices)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "rater_department", "provider_department", "dimension"], name="one_link_result_per_key"
            )
        ]


class CompanyResult(_Figures):
    """The company line: every rating of one scope in one dimension, pooled over all departments.

    The differencing rule treats it as a total of the department rows of the same scope and
    dimension, so it is shown only when the departments hidden beside it hold enough raters."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="company_results")
    scope = models.CharField(max_length=10, choices=Scope.choices)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["cycle", "scope", "dimension"], name="one_company_result_per_key")
        ]


class ParticipationResult(models.Model):
    """Response rate of one department: participants over employees active when the cycle opened."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="participation_results")
    department = models.ForeignKey("surveys.Department", on_delete=models.PROTECT, related_name="+")
    participants = models.PositiveIntegerField()
    eligible = models.PositiveIntegerField(null=True, blank=True, help_text="Unknown without a headcount.")
    response_rate = models.FloatField(null=True, blank=True, help_text="participants / eligible, 0–1.")

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["cycle", "department"], name="one_participation_result_per_department")
        ]


class CycleSummary(models.Model):
    """The per-cycle figures of a roll-up, and when and over how many answers it ran."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="rollup_summary")
    run = models.ForeignKey(RollupRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    computed_at = models.DateTimeField()
    answers_count = models.PositiveIntegerField()
    previous_cycle = models.ForeignKey(
        Cycle, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", help_text="What deltas compare to."
    )
    min_group_size = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The cycle's minimum group size this snapshot was computed with; empty for snapshots "
        "older than the stored variances (the next cycle's roll-up recomputes those from the answers).",
    )
    weakest_department = models.ForeignKey(
        "surveys.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    weakest_department_mean = models.FloatField(null=True, blank=True, help_text="The chain strength.")
    company_mean = models.FloatField(null=True, blank=True, help_text="Mean of every supplier-scope rating.")
    weakest_supplier_link_rater = models.ForeignKey(
        "surveys.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    weakest_supplier_link_provider = models.ForeignKey(
        "surveys.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    weakest_supplier_link_mean = models.FloatField(null=True, blank=True)
    weakest_management_link = models.ForeignKey(
        "surveys.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    weakest_management_link_mean = models.FloatField(null=True, blank=True)
    participants = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(null=True, blank=True)
    response_rate = models.FloatField(null=True, blank=True, help_text="participants / eligible, 0–1.")
    # Whether any figure of the snapshot is shown (a row not suppressed, of a department, a link
    # or the company): a cycle that shows nothing never becomes a page's default
    # (reports.selectors.default_cycle). The roll-up always sets it.
    shows_anything = models.BooleanField(
        default=True, help_text="False when every figure of the roll-up is hidden (too few responses)."
    )

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"Roll-up summary of {self.cycle}"

    @property
    def chain_strength(self) -> float | None:
        return self.weakest_department_mean


class DriverResult(models.Model):
    """One row of the drivers export (contract "Drivers"): a group (a department in the supplier
    scope, or the company in a scope, `department` empty) and one dimension. Figures are stored
    rounded as the contract shows them (reports.drivers rounds them); empty where the tier or the
    group's size allows none."""

    class Tier(models.TextChoices):
        WEIGHTS = "weights", "Weights"
        CORRELATIONS = "correlations", "Correlations only"
        COMPANY = "company", "The company's pattern"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="driver_results")
    department = models.ForeignKey(
        "surveys.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scope = models.CharField(max_length=10, choices=Scope.choices)
    dimension = models.CharField(max_length=32)
    observations = models.PositiveIntegerField(null=True, blank=True)
    tier = models.CharField(max_length=12, choices=Tier.choices)
    correlation = models.FloatField(null=True, blank=True, help_text="Spearman, 2 decimals.")
    importance_pct = models.FloatField(null=True, blank=True, help_text="General dominance weight, % of R².")
    importance_low = models.FloatField(null=True, blank=True)
    importance_high = models.FloatField(null=True, blank=True)
    r2 = models.FloatField(null=True, blank=True)

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "department", "scope", "dimension"],
                name="one_driver_result_per_key",
            )
        ]


class DriverSummary(models.Model):
    """Whether a cycle's roll-up found any outcome answer: a cycle without ("no outcome question
    in this cycle", e.g. history imported from another tool) has no drivers to show."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="driver_summary")
    outcome_answers = models.BooleanField()

    class Meta:
        default_permissions = ()


class SelfViewResult(models.Model):
    """A self-view figure (blind spots): how a department's staff think others rate it (`supplier`)
    or how its managers think their staff rate their management (`management`), per dimension; and
    the company's managers pooled (`department` empty, `management`, dimension `overall`).

    Each is a group of its own, hidden below the cycle's minimum group size of distinct raters;
    a hidden row stores no figure. Self-view answers count in no scorecard figure (reports.selfview).
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="self_view_results")
    department = models.ForeignKey(
        "surveys.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    scope = models.CharField(max_length=10, choices=Scope.choices)
    dimension = models.CharField(max_length=32, help_text="A dimension slug, or 'overall'.")
    respondents = models.PositiveIntegerField(null=True, blank=True)
    mean = models.FloatField(null=True, blank=True)
    suppressed = models.BooleanField()

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "department", "scope", "dimension"], name="one_self_view_result_per_key"
            )
        ]
