"""The console's navigation entries for clienteling (registered in ClientelingConfig.ready)."""

from shopfloor import consolekit
from shopfloor.clienteling import selectors
from shopfloor.consolekit import ADMIN_ROLES, MONEY, SELL, SETTINGS, STAFF_ROLES


def register_pages() -> None:
    consolekit.register_nav("Tasks", "clienteling:tasks", icon="check", roles=STAFF_ROLES, order=12, section=SELL,
                            badge=selectors.due_count)
    consolekit.register_nav("KPIs", "clienteling:kpis", icon="bar-chart", roles=STAFF_ROLES, order=41,
                            section=MONEY)
    consolekit.register_nav("Task rules", "clienteling:task_rules", icon="sliders", roles=ADMIN_ROLES, order=45,
                            section=SETTINGS)
