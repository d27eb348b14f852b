import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from shopfloor.accounts.services import create_admin


class Command(BaseCommand):
    help = "Create a retailer admin (or reset their password). Non-interactive when both options are given."

    def add_arguments(self, parser):
        parser.add_argument("--email")
        parser.add_argument("--password")

    def handle(self, *args, email=None, password=None, **options):
        email = email or input("Email: ")
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"Not an email address: {email!r}")
        if not password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        if len(password) < 8:
            raise CommandError("Use a password of at least 8 characters.")
        user = create_admin(email, password)
        self.stdout.write(self.style.SUCCESS(f"Admin {user.email} is ready; log in at /admin/ or /console/."))
