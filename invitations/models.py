"""What was emailed to whom about which cycle: one row per (person, cycle, kind of message).

The unique (employee, cycle, kind) row is the guarantee that nobody gets the same message twice:
it is created once, whatever the number of scheduler ticks, and a worker claims it (pending →
sending, committed) before it talks to the mail server. It records what was *sent*, never what
was answered.
"""

from django.db import models

from surveys.models import Cycle, Employee


class Notice(models.Model):
    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        REMINDER = "reminder", "Reminder"

    class Status(models.TextChoices):
        PENDING = "pending", "To be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not needed any more"

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="notices")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times a worker tried to send it.")
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "invitation or reminder"
        verbose_name_plural = "invitations and reminders"
        ordering = ["cycle", "kind", "employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "cycle", "kind"], name="one_notice_per_person_cycle_kind")
        ]
        indexes = [models.Index(fields=["cycle", "kind", "status"], name="notice_cycle_kind_status")]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.cycle} to {self.employee_id}: {self.get_status_display()}"
