"""The user model: people sign in with their email address, there is no username."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class UserManager(DjangoUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        # Sign-in is case-insensitive on the email address.
        return self.get(email__iexact=username)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    # Django's own catalogue translates the label ("E-Mail-Adresse"): the sign-in form shows it.
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(max_length=200, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    # A session is bound to the address it signed in with as well as to the password: Django's
    # hash covers the password only, so a session begun just before an email change (too late for
    # `accounts.identity` to delete it) would carry on as the person under their new address.
    # Whatever the session engine, a changed address ends every session of the account.
    def get_session_auth_hash(self):
        return self._session_auth_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_auth_hash(secret=fallback_secret)

    def _session_auth_hash(self, secret=None):
        key_salt = "accounts.models.User.get_session_auth_hash"
        return salted_hmac(key_salt, f"{self.password}\0{self.email}", secret=secret, algorithm="sha256").hexdigest()


class IdentityChange(models.Model):
    """One change of the email address a person signs in with: who made it, when, how, old → new.

    Written by `accounts.identity.identity_change`, in the transaction that changes the address;
    never changed or deleted afterwards (the admin shows it read-only to everyone, superusers
    included, and there are no add, change or delete permissions to grant: only "view").
    """

    class Via(models.TextChoices):
        PEOPLE_ADMIN = "people_admin", "people admin"
        ACCOUNTS_ADMIN = "accounts_admin", "accounts admin"
        ORG_UPLOAD = "org_upload", "org file upload (HR workspace)"
        IMPORT_ORG = "import_org", "import_org command"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="identity_changes")
    old_email = models.EmailField("old email")
    new_email = models.EmailField("new email")
    changed_at = models.DateTimeField("when", auto_now_add=True, db_index=True)
    changed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="identity_changes_made"
    )
    # The changer's address as it was at the time (theirs may change later too); empty for a command.
    changed_by_email = models.CharField("changed by", max_length=254, blank=True)
    via = models.CharField("how", max_length=20, choices=Via.choices)
    old_address_notified_at = models.DateTimeField("old address told", null=True, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        default_permissions = ("view",)
        verbose_name = "identity change"

    def __str__(self):
        return f"{self.old_email} → {self.new_email}"


class Session(AbstractBaseSession):
    """Django's database session, plus the signed-in person's id as a column of its own
    (`accounts.sessions`): each request then reads its session and its person in one statement,
    and a person's sessions are found without decoding every row. The column is written with the
    session's data (same save); the data stays the authority on who is signed in."""

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore

        return SessionStore
