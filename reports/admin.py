"""Admin for roll-up runs: read-only, to see whether a cycle's roll-up finished or failed."""

from django.contrib import admin

from .models import RollupRun


@admin.register(RollupRun)
class RollupRunAdmin(admin.ModelAdmin):
    list_display = ["cycle", "state", "requested_at", "started_at", "finished_at", "answers_count"]
    list_filter = ["state", "cycle"]
    list_select_related = ["cycle"]
    readonly_fields = ["cycle", "state", "requested_at", "started_at", "finished_at", "answers_count", "error"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
