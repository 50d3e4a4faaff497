"""Admin for roll-up runs: read-only, to see whether a cycle's roll-up finished or failed."""

from django.contrib import admin

from surveys.admin import ReadOnlyMixin

from .models import RollupRun


@admin.register(RollupRun)
class RollupRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["cycle", "state", "requested_at", "started_at", "finished_at", "answers_count"]
    list_filter = ["state", "cycle"]
    list_select_related = ["cycle"]
    readonly_fields = ["cycle", "state", "requested_at", "started_at", "finished_at", "answers_count", "error"]
