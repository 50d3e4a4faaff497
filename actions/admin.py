"""Admin for HR: training modules (HR edits and adds them) and a read-only list of commitments.
Training completions are deliberately absent: a person's marks are never shown to anyone else,
in the admin or anywhere (actions.training)."""

from django import forms
from django.contrib import admin

from .models import Commitment, TrainingModule


class TrainingModuleForm(forms.ModelForm):
    class Meta:
        model = TrainingModule
        fields = [
            "title",
            "slug",
            "dimension",
            "kind",
            "summary",
            "body",
            "moments",
            "self_check",
            "position",
            "is_active",
        ]
        help_texts = {
            "slug": "Its address: /training/<slug>/. Fixed once the module exists (pages and bookmarks link to it).",
            "body": "Plain text; a blank line starts a new paragraph. Keep it readable in three to five minutes.",
            "moments": (
                "One per line, shown as a list: for a module, the \u201cthat's not my job\u201d moments; "
                "for a coaching guide, what not to do."
            ),
            "self_check": "Questions to ask yourself: one per line.",
            "position": "Order on the training page (the starter modules use 10, 11, 20, 21, \u2026).",
            "is_active": "Untick to retire a module: it leaves the pages; marks already made are kept.",
        }


@admin.register(TrainingModule)
class TrainingModuleAdmin(admin.ModelAdmin):
    form = TrainingModuleForm
    list_display = ["title", "dimension", "kind", "position", "is_active"]
    list_filter = ["dimension", "kind", "is_active"]
    search_fields = ["title", "summary"]
    ordering = ["position", "dimension", "kind", "title"]
    prepopulated_fields = {"slug": ["title"]}

    def has_delete_permission(self, request, obj=None):
        # Retired by `is_active`, never deleted: deleting would also delete everyone's marks and
        # take the module off the commitments that attach it.
        return False

    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj else []

    def get_prepopulated_fields(self, request, obj=None):
        # A read-only slug is not a form field (surveys.admin.DepartmentAdmin does the same).
        return {} if obj else super().get_prepopulated_fields(request, obj)


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    """Read-only: commitments are written on the department pages (/actions/), by its managers and HR."""

    list_display = ["cycle", "department", "scope", "dimension", "status", "published", "due"]
    list_filter = ["cycle", "scope", "dimension", "status", ("published_at", admin.EmptyFieldListFilter), "department"]
    list_select_related = ["cycle", "department"]
    search_fields = ["text", "department__name"]
    list_per_page = 100

    @admin.display(description="published", boolean=True, ordering="published_at")
    def published(self, obj):
        return obj.is_published

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
