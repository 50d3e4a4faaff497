"""API tokens in the admin: HR sees everyone's (never a key: only hashes are stored) and revokes
them. Nobody adds, edits or deletes one here: people make their own (/accounts/tokens/ or
`create_api_token`), and a revoked token stays listed."""

from django.contrib import admin, messages

from .models import ApiToken
from .tokens import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__email", "prefix"]
    fields = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at", "revoked_by"]
    readonly_fields = fields
    list_select_related = ["user"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        revoked = sum(token_revoke(token_id=pk, by=request.user) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"Revoked {revoked} token{'s' if revoked != 1 else ''}.", messages.SUCCESS)
