"""Account forms: the password reset form doubles as "set your first password"."""

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation

from .mail import language_of


class SetPasswordResetForm(PasswordResetForm):
    """Django's reset form skips accounts without a usable password; ours includes them, because
    imported people start with none and choose their own through this very link. The email is
    written in its reader's language (accounts.mail.language_of), not the asking page's."""

    def get_users(self, email):
        return get_user_model()._default_manager.filter(email__iexact=email.strip(), is_active=True)

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        person = getattr(context.get("user"), "employee", None)
        with translation.override(language_of(person)):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email, **kwargs)
