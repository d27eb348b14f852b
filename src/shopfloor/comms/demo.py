"""Demo comms for Casa Lusa: two announcements (one read, one scheduled for the agents' group), a thread with
the retailer, one between an agent and a subagent.

Called once by demo.seed.seed_demo (inside its transaction, so it is written whole or not at all).
"""

from datetime import datetime, timedelta

from django.utils import timezone

from shopfloor.access import Actor
from shopfloor.accounts.models import AgentGroup
from shopfloor.comms import services


def seed(admin, associates: dict, agents: AgentGroup, now: datetime | None = None) -> int:
    """Returns how many announcements and threads were made."""
    now = now or timezone.now()
    retailer = Actor(admin)
    spring = services.save_announcement(retailer, {
        "title": "Spring collection in store on Monday",
        "body": "The **spring collection** arrives Monday morning.\n\n- Unpack and price by noon\n"
                "- Window displays follow the layout in Messages\n- Share the lookbook with your best customers",
    })
    services.save_announcement(retailer, {
        "title": "Commission bonus for agents in June",
        "body": "Every sale above 500 EUR in June earns **2% extra**. Details in your *What would I earn?* page.",
        "audience": "groups", "agent_group_ids": [agents.pk], "publish_at": now + timedelta(days=3),
    })
    services.read_announcement(Actor(associates["Ana Ribeiro"].user), spring)

    ana = Actor(associates["Ana Ribeiro"].user)
    thread = services.start_thread(ana, "retailer", "Window display stand",
                                   "Could we get the new display stand for the Chiado window before Monday?")
    services.post_message(Actor(associates["Marta Figueiredo"].user), thread,
                          "Yes, it ships Friday. I'll ask Tiago to help you set it up.")
    services.start_thread(ana, "agent", "Your first month", "Welcome, Inês! Call me before your first visit "
                          "to the hotel in Alfama; I'll share the lookbook I made for them.",
                          associates["Inês Carvalho"].pk)
    return 4
