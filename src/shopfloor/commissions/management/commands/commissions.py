"""Commission jobs, each safe to re-run and to run while orders arrive.

`shopfloor commissions accrue`: accrue, in batches, every order that should have
earned and has not (backfills, imports, catching up after an outage).
`shopfloor commissions approve`: approve the earnings of completed orders whose
hold period has passed (the scheduled job, run by hand).
"""

from django.core.management.base import BaseCommand, CommandError

from shopfloor.commissions.services import approve_due_earnings
from shopfloor.commissions.settlement import SETTLE_BATCH_SIZE, settle_orders


class Command(BaseCommand):
    help = (
        "Commission jobs: `accrue` writes the earnings of the orders not accrued yet; "
        "`approve` approves earnings whose hold period has passed."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        accrue = actions.add_parser("accrue", help="Accrue every order not accrued yet (or only --order ids).")
        accrue.add_argument("--batch-size", type=int, default=SETTLE_BATCH_SIZE,
                            help=f"Orders per transaction (default {SETTLE_BATCH_SIZE}).")
        accrue.add_argument("--order", type=int, action="append", dest="order_ids",
                            help="Only this order id; repeat for several.")
        actions.add_parser("approve", help="Approve the earnings whose order is completed and hold has passed.")

    def handle(self, *args, action, **options):
        if action == "approve":
            self.stdout.write(f"Approved {approve_due_earnings()} earnings.")
            return
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        settled = settle_orders(order_ids=options["order_ids"], batch_size=options["batch_size"])
        self.stdout.write(f"Accrued {settled} orders.")
