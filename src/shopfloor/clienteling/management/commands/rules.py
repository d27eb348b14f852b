"""`shopfloor rules run [--today YYYY-MM-DD] [--rule KEY ...]`: the daily task rules, by hand. Idempotent."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from shopfloor.clienteling.models import RuleKey
from shopfloor.clienteling.rules import run_rules


class Command(BaseCommand):
    help = "Task rules: `run` makes the tasks the enabled rules find (never twice for one occasion)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        run = actions.add_parser("run", help="Run the enabled rules now (or only --rule keys, enabled or not).")
        run.add_argument("--today", help="Run as if it were this day (YYYY-MM-DD).")
        run.add_argument("--rule", action="append", dest="keys", choices=RuleKey.values,
                         help="Only this rule; repeat for several.")

    def handle(self, *args, action, today=None, keys=None, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError("--today must be a date, YYYY-MM-DD.")
        result = run_rules(today=day, keys=keys)
        for key, created in result.created.items():
            self.stdout.write(f"{key}: {result.candidates[key]} found, {created} new tasks")
        self.stdout.write(f"Created {result.total_created} tasks for {result.today}.")
