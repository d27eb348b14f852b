from django.core.management.base import BaseCommand, CommandError

from shopfloor.accounts.models import User
from shopfloor.accounts.services import create_api_token


class Command(BaseCommand):
    help = "API tokens: `token create --email EMAIL [--name NAME]` prints a new bearer token once."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create"])
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="")

    def handle(self, *args, action, email, name, **options):
        user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with the email {email}.")
        _, token = create_api_token(user, name)
        # Only the token on stdout, so scripts can capture it.
        self.stdout.write(token)
        self.stderr.write("Keep it now: Shopfloor stores only its hash and cannot show it again.")
