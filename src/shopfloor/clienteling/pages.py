"""The console's navigation entries for clienteling (registered in ClientelingConfig.ready)."""

from shopfloor.clienteling import selectors
from shopfloor.console import nav


def register_pages() -> None:
    nav.register("Tasks", "clienteling:tasks", icon="check", roles=nav.STAFF_ROLES, order=12, section=nav.SELL,
                 badge=selectors.due_count)
    nav.register("KPIs", "clienteling:kpis", icon="bar-chart", roles=nav.STAFF_ROLES, order=41, section=nav.MONEY)
    nav.register("Task rules", "clienteling:task_rules", icon="sliders", roles=nav.ADMIN_ROLES, order=45,
                 section=nav.SETTINGS)
