"""Demo lists: two lists with rooms and a conversation, so the console and the shop show lists at once.

Called by `demo.seed.seed_demo` inside its transaction (so it runs once with the rest).
Written through the lists' services, like an associate's own work; no email leaves: the demo's
comments are marked as already emailed.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from shopfloor.access import Actor
from shopfloor.customers.models import CustomerStatus
from shopfloor.lists import services
from shopfloor.lists.models import CommentAlert, CustomerList, ListComment

# (product code prefix, room, quantity, note) for each list.
HOTEL_LOBBY = [
    ("LGT", "Lobby", 4, "Brass finish, to match the reception desk."),
    ("LIV", "Lobby", 2, ""),
    ("TEX", "Guest rooms", 24, "One per room, in sand."),
    ("BAT", "Guest rooms", 48, ""),
    ("TAB", "Breakfast room", 60, "Same glaze as the sample plates."),
]
LIVING_ROOM = [
    ("LIV", "Living room", 1, "The oak one she liked in the shop."),
    ("TEX", "Living room", 2, ""),
    ("LGT", "Living room", 1, ""),
    ("TAB", "Dining room", 6, ""),
    ("KIT", "Dining room", 1, "For Sunday lunches."),
]


def _products_by_prefix(products) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for product in products:
        grouped.setdefault(product.sku.split("-")[1], []).append(product)
    return grouped


def _fill(actor: Actor, customer_list: CustomerList, rows, grouped) -> list:
    items = []
    for index, (prefix, room, quantity, note) in enumerate(rows):
        product = grouped[prefix][index % len(grouped[prefix])]
        items.extend(services.save_product(actor, [customer_list], product.sku, room, quantity, note))
    return items


def _converse(customer_list: CustomerList, lines, now: datetime) -> None:
    """Comments, oldest first, spread over the last days."""
    moments = [now - timedelta(days=3, hours=2) + timedelta(hours=7 * index) for index in range(len(lines))]
    for (who, body, item), moment in zip(lines, moments, strict=True):
        comment = services.add_comment(who, customer_list, body, item=item)
        ListComment.objects.filter(pk=comment.pk).update(created_at=moment)


def seed(associates: dict, customers: list, products: list, now: datetime | None = None) -> int:
    """Two demo lists; returns how many were made."""
    now = now or timezone.now()
    grouped = _products_by_prefix(products)
    made = 0

    shopper = customers[0]
    tiago = Actor(associates["Tiago Moreira"].user)
    lobby = services.create_list(tiago, shopper, "Hotel Alfama: lobby and rooms")
    items = _fill(tiago, lobby, HOTEL_LOBBY, grouped)
    CustomerList.objects.filter(pk=lobby.pk).update(notified_at=now - timedelta(days=3))
    lobby.refresh_from_db()
    carolina = services.CustomerSide(customer=shopper, customer_list=lobby)
    _converse(lobby, [
        (tiago, "Here is a first selection for the lobby and the 24 guest rooms, from what we saw on Tuesday.", None),
        (carolina, "Thank you! The lamps are lovely. Could the throws come in a darker colour?", items[2]),
        (tiago, "Yes: charcoal and olive are in stock. I have asked the workshop for samples.", items[2]),
        (carolina, "Perfect. Let us keep the breakfast plates at 60, we may add a terrace later.", None),
    ], now)
    made += 1

    ana = associates["Ana Ribeiro"]
    hers = [c for c in customers[1:] if c.status == CustomerStatus.ACTIVE
            and c.assignments.filter(associate=ana, is_primary=True).exists()]
    if hers:
        actor = Actor(ana.user)
        customer = hers[0]
        home = services.create_list(actor, customer, "Living and dining room")
        home_items = _fill(actor, home, LIVING_ROOM, grouped)
        _converse(home, [
            (actor, "A few pieces to try together; the armchair works with the rug you already have.", None),
            (actor, "This one seats six; the eight-seat version takes two weeks.", home_items[3]),
        ], now)
        made += 1

    # The demo's conversation is history: nothing waits to be emailed.
    CommentAlert.objects.filter(emailed_at__isnull=True).update(emailed_at=now)
    return made
