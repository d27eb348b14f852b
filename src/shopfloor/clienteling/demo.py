"""Demo clienteling: preferences, notes and tasks on a few customers, and the task rules switched on.

Called by `demo.seed.seed_demo` inside its transaction (so it runs once with the rest); written through
the services, like an associate's own work.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from shopfloor.access import Actor
from shopfloor.clienteling import rules, services
from shopfloor.clienteling.models import RuleKey, TaskRule
from shopfloor.customers.models import CustomerStatus

NOTES = [
    ("Getting married in September; looking for table linen and a dinner service for twelve.", True),
    ("Prefers to be contacted by WhatsApp after 18:00.", False),
]
PREFERENCES = {"sizes": {"tablecloth": "240 × 140", "bed": "160 × 200"}, "brands": ["Casa Lusa Atelier"],
               "styles": ["Classic", "Linen", "Natural tones"], "colours": ["Sand", "Olive"]}
ENABLED = (RuleKey.BIRTHDAY, RuleKey.POST_PURCHASE, RuleKey.WIN_BACK, RuleKey.WELCOME, RuleKey.BACK_IN_STOCK,
           RuleKey.PRICE_DROP, RuleKey.LOOKBOOK_NO_PURCHASE)


def seed(associates: dict, customers: list, now: datetime | None = None) -> int:
    """Notes, preferences and two manual tasks for each selling associate's first customers; returns the tasks
    the rules then made."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    for associate in associates.values():
        if associate.user is None or associate.is_manager:
            continue
        actor = Actor(associate.user)
        mine = [customer for customer in customers
                if customer.status == CustomerStatus.ACTIVE and customer.store_id == associate.store_id
                and customer.assignments.filter(associate=associate, is_primary=True).exists()][:2]
        for index, customer in enumerate(mine):
            if index == 0:
                services.update_preferences(actor, customer, PREFERENCES)
                for body, pinned in NOTES:
                    services.add_note(actor, customer, body, pinned)
            services.create_task(actor, {
                "title": "Call about the new linen collection" if index == 0 else "Send the autumn catalogue",
                "customer_id": customer.pk, "due_on": today + timedelta(days=index),
                "description": "She asked to be told when it arrives." if index == 0 else "",
            })
    rules.ensure_rules()
    TaskRule.objects.filter(key__in=ENABLED).update(enabled=True)
    return rules.run_rules(today=today).total_created
