"""Demo looks, lookbooks and message templates, so My Looks, Lookbooks and "Compose message" show something.

Called by `demo.seed.seed_demo` inside its transaction (so it runs once with the rest). Written
through the services, like an associate's own work; nothing is sent (no email leaves the demo).
"""

from datetime import datetime, timedelta

from django.utils import timezone

from shopfloor.access import Actor
from shopfloor.accounts.models import User
from shopfloor.customers.models import CustomerStatus
from shopfloor.lookbooks import services
from shopfloor.lookbooks.models import Lookbook
from shopfloor.outreach.models import Purpose
from shopfloor.outreach.services import save_template

# (product code prefix, note) for each look.
SUMMER_EVENINGS = [
    ("OUT", "Teak that weathers to silver: it only gets better outside."),
    ("LGT", "Warm light for long dinners on the terrace."),
    ("TAB", "Glazed by hand in Caldas da Rainha; no two are the same."),
    ("TEX", "For when the evening turns cool."),
]
HOTEL_TERRACE = [
    ("OUT", "Stackable, so the terrace clears in minutes."),
    ("LGT", "The same brass as the lobby lamps."),
    ("TAB", "Dishwasher-safe stoneware for the breakfast service."),
]
PORTO_KITCHEN = [
    ("KIT", "Enamelled cast iron: the pot every Porto kitchen has."),
    ("TAB", ""),
    ("TEX", "Linen tea towels, washed soft."),
]
TEMPLATES = [
    {"name": "New season", "purpose": Purpose.MARKETING, "channel": "email",
     "subject": "New in at Casa Lusa, {{first_name}}",
     "body": "Hello {{first_name}},\n\nThe new season's pieces are in the shop. I put a few aside for you: "
             "{{lookbook_link}}\n\n{{associate_name}}"},
    {"name": "Order ready for collection", "purpose": Purpose.TRANSACTIONAL, "channel": "",
     "subject": "Your order is ready, {{first_name}}",
     "body": "Hello {{first_name}}, your order is ready for collection in the shop. {{associate_name}}"},
]


def _items(rows, products) -> list[dict]:
    grouped: dict[str, list] = {}
    for product in products:
        grouped.setdefault(product.sku.split("-")[1], []).append(product)
    return [{"sku": grouped[prefix][index % len(grouped[prefix])].sku, "note": note}
            for index, (prefix, note) in enumerate(rows) if prefix in grouped]


def seed(associates: dict, customers: list, products: list, now: datetime | None = None) -> int:
    """Three looks, two published lookbooks (one already opened) and two templates; returns the lookbooks made."""
    now = now or timezone.now()
    admin = User.objects.filter(is_staff=True).order_by("pk").first()
    for template in TEMPLATES:
        save_template(Actor(admin), template)

    ana = associates["Ana Ribeiro"]
    ana_actor = Actor(ana.user)
    look = services.create_look(ana_actor, {
        "title": "Long summer evenings", "items": _items(SUMMER_EVENINGS, products),
        "message": "Hello {{first_name}}, a few pieces for long evenings outside. Ask me about sizes. "
                   "{{associate_name}}",
    })
    services.create_look(Actor(associates["Sofia Lopes"].user), {
        "title": "Porto kitchen classics", "items": _items(PORTO_KITCHEN, products),
        "message": "Hello {{first_name}}, the pieces our Porto customers come back for.",
    })
    made = 0
    hers = [c for c in customers if c.status == CustomerStatus.ACTIVE
            and c.assignments.filter(associate=ana, is_primary=True).exists()]
    if hers:
        customer = hers[0]
        lookbook = services.create_lookbook(ana_actor, customer, {
            "title": look.title, "publish": True, "items": [
                {"sku": item.product.sku, "note": item.note} for item in look.items.select_related("product")],
            "message": f"Hello {customer.first_name}, a few pieces for long evenings outside. Ask me about sizes.",
        })
        opened = now - timedelta(days=1, hours=3)
        Lookbook.objects.filter(pk=lookbook.pk).update(look=look, opened_at=opened, last_opened_at=opened,
                                                       open_count=2, click_count=1)
        made += 1
    shopper = customers[0]
    tiago = associates["Tiago Moreira"]
    if shopper.assignments.filter(associate=tiago).exists():
        services.create_lookbook(Actor(tiago.user), shopper, {
            "title": "Hotel Alfama: the terrace", "publish": True, "items": _items(HOTEL_TERRACE, products),
            "message": "Carolina, here are the terrace pieces we talked about, in the lobby's brass.",
        })
        made += 1
    return made
