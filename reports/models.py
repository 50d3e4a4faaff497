"""Roll-up runs and snapshot tables: what dashboards and exports read, never raw answers.

A run marked `started` is redone from scratch; `done` means its snapshot is complete and current.
"""

from django.db import models

from surveys.models import Cycle


class RollupRun(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", "Requested"
        STARTED = "started", "Started"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="rollup_runs")
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    answers_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="Answers the roll-up was computed over."
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["state", "requested_at"], name="rollup_run_state")]

    def __str__(self):
        return f"Roll-up of {self.cycle} ({self.get_state_display()})"
