"""Accounts in the admin (superusers only: HR has no rights on accounts) and the identity change log.

Nobody sets a password in the admin, superusers included: people choose their own through "Set
your password", which mails a link to the address they sign in with. An admin who could set one
could sign in as anybody, with no trace the person would ever see. Changing an address goes
through `accounts.identity`, like every other way of changing it.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied

from .identity import EmailChange, identity_change
from .models import IdentityChange, User


class AccountChangeForm(UserChangeForm):
    password = None  # no password field, and so no link to the password form

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another account already uses this email address.")
        return email


class AccountAddForm(forms.ModelForm):
    """A new account without a password: its owner sets one through "Set your password"."""

    class Meta:
        model = User
        fields = ["email", "full_name"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Another account already uses this email address.")
        return email

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AccountChangeForm
    add_form = AccountAddForm
    add_form_template = None  # Django's asks for a username and a password first
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (
            None,
            {
                "fields": ["email"],
                "description": "Passwords are never set here: people choose their own through “Set your password” "
                "on the sign-in page. Changing the email signs the person out everywhere, voids their password-set "
                "links, deletes their unsubmitted survey answers, tells the old address and is logged.",
            },
        ),
        ("Personal info", {"fields": ["full_name"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name"]})]
    readonly_fields = ["last_login", "date_joined"]

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied("Passwords are set by their owners only, through “Set your password”.")

    def save_model(self, request, obj, form, change):
        old_email = form.initial.get("email") if change else None
        super().save_model(request, obj, form, change)
        if change and old_email is not None and old_email != obj.email:
            identity_change(
                changes=[EmailChange(obj.pk, old_email, obj.email)],
                by=request.user,
                via=IdentityChange.Via.ACCOUNTS_ADMIN,
            )
            if obj.pk == request.user.pk:
                request.session.flush()  # their own address: this session ended with the others
            self.message_user(
                request,
                f"{obj.email} is the new sign-in address: the account was signed out, its unsubmitted answers were "
                f"deleted, {old_email} is told, and the change is in the identity change log.",
                messages.WARNING,
            )


@admin.register(IdentityChange)
class IdentityChangeAdmin(admin.ModelAdmin):
    """The identity change log: readable by HR (and superusers), changed or deleted by nobody."""

    fields = [
        "changed_at",
        "user",
        "old_email",
        "new_email",
        "changed_by_email",
        "via",
        "old_address_notified_at",
    ]
    list_filter = ["via"]
    search_fields = ["old_email", "new_email", "changed_by_email", "user__email"]
    list_select_related = ["user"]
    date_hierarchy = "changed_at"
    list_display = readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}
