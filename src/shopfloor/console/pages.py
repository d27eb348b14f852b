"""The console's navigation entries for its own pages (registered in ConsoleConfig.ready)."""

from shopfloor import consolekit
from shopfloor.access import Actor
from shopfloor.consolekit import ADMIN_ROLES, CUSTOMERS, MANAGING_ROLES, MONEY, SELL, SELLING_ROLES, SETTINGS
from shopfloor.customers.models import CustomerStatus
from shopfloor.customers.selectors import customer_list


def _pending_approvals(actor: Actor) -> int:
    return customer_list(actor, status=CustomerStatus.PENDING).count()


def register_pages() -> None:
    consolekit.register_nav("Dashboard", "console:dashboard", icon="home", roles=SELLING_ROLES, order=1,
                            section=SELL)
    consolekit.register_nav("Customers", "console:customers", icon="users", order=10, section=CUSTOMERS)
    consolekit.register_nav("Approvals", "console:approvals", icon="user-check", roles=MANAGING_ROLES, order=20,
                            badge=_pending_approvals, section=CUSTOMERS)
    consolekit.register_nav("What would I earn?", "console:simulate", icon="calculator", order=30, section=MONEY)
    consolekit.register_nav("Coupons", "console:coupons", icon="tag", order=32, section=MONEY)
    consolekit.register_nav("Reports", "console:reports", icon="bar-chart", roles=MANAGING_ROLES, order=40,
                            section=MONEY)
    consolekit.register_nav("Payouts", "console:payouts", icon="wallet", roles=ADMIN_ROLES, order=50,
                            section=MONEY)
    consolekit.register_nav("Payout details", "console:payout_profile", icon="credit-card", order=60,
                            section=MONEY)
    consolekit.register_nav("Settings", "console:settings", icon="sliders", order=900, section=SETTINGS)
