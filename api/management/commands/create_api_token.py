"""`manage.py create_api_token EMAIL [--name NAME]`: a personal API token for scripts and BI
service accounts; the key is printed alone on the last line (`| tail -1`)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api.tokens import token_create


class Command(BaseCommand):
    help = "Make a personal API token for an active person; it sees what that person may see. Prints the key last."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The person's sign-in address (case-insensitive).")
        parser.add_argument(
            "--name", default="command line", help="What the token is for (shown on their tokens page)."
        )

    def handle(self, *args, email, name, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"Nobody signs in as {email!r}.")
        if not user.is_active:
            raise CommandError(f"{user.email} is deactivated: a token would not work.")
        if not name.strip():
            raise CommandError("--name may not be empty.")
        made = token_create(user=user, name=name)
        self.stdout.write(
            f"Token {made.token.name!r} for {user.email} (revoke it at /accounts/tokens/ or in the admin):"
        )
        self.stdout.write(made.key)
