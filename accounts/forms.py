"""Account forms: the password reset form doubles as "set your first password"."""

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm


class SetPasswordResetForm(PasswordResetForm):
    """Django's reset form skips accounts without a usable password; ours includes them, because
    imported people start with none and choose their own through this very link."""

    def get_users(self, email):
        return get_user_model()._default_manager.filter(email__iexact=email.strip(), is_active=True)
