"""Admin: the record of invitations and reminders, and their counts on the cycle list and page."""

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from surveys.admin import CycleAdmin, ReadOnlyMixin
from surveys.models import Cycle

from .models import Notice
from .selectors import invitation_counts


def _sent_count(kind: str):
    sent = (
        Notice.objects.filter(cycle_id=OuterRef("pk"), kind=kind, status=Notice.Status.SENT)
        .order_by()
        .values("cycle_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(sent, output_field=IntegerField()), 0)


def invitations_when() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:  # no worker and no beat: nothing sends them by itself
        return "To email the invitations, run: python manage.py send_notices"
    minutes = max(1, round(settings.CHAINSURVEY_NOTICES_EVERY / 60))
    return f"Invitations are emailed to every active employee within {minutes} minute{'s' if minutes > 1 else ''}."


admin.site.unregister(Cycle)


@admin.register(Cycle)
class CycleWithNoticesAdmin(CycleAdmin):
    """The cycle admin of `surveys`, plus how many invitations and reminders went out."""

    list_display = [*CycleAdmin.list_display, "invitations_sent", "reminders_sent"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                invitations_sent=_sent_count(Notice.Kind.INVITATION), reminders_sent=_sent_count(Notice.Kind.REMINDER)
            )
        )

    @admin.display(description="invitations sent", ordering="invitations_sent")
    def invitations_sent(self, obj):
        return obj.invitations_sent

    @admin.display(description="reminders sent", ordering="reminders_sent")
    def reminders_sent(self, obj):
        return obj.reminders_sent

    @admin.action(description="Open the selected cycle for answers", permissions=["manage_cycles"])
    def open_cycles(self, request, queryset):
        super().open_cycles(request, queryset)
        if Cycle.objects.filter(pk__in=queryset, status=Cycle.Status.OPEN).exists():
            self.message_user(request, invitations_when(), messages.INFO)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "emails"] if obj is not None else fields

    @admin.display(description="Invitations and reminders")
    def emails(self, obj):
        c = invitation_counts(cycle=obj)
        parts = [
            f"{c.invitations_sent} invitations sent",
            f"{c.reminders_sent} reminders sent",
        ]
        waiting, failed = c.invitations_waiting + c.reminders_waiting, c.invitations_failed + c.reminders_failed
        if waiting:
            parts.append(f"{waiting} waiting to be sent")
        if failed:
            parts.append(f"{failed} failed (see Invitations and reminders)")
        return "; ".join(parts)


@admin.register(Notice)
class NoticeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """What was emailed to whom and when (never what anyone answered)."""

    list_display = ["employee", "cycle", "kind", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["cycle", "kind", "status"]
    search_fields = ["employee__employee_id", "employee__user__full_name", "employee__user__email"]
    list_select_related = ["employee__user", "cycle"]
    list_per_page = 100
