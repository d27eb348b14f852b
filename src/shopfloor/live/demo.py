"""Demo data for live shopping: past visitors with their visits and page views, and one finished chat with a
known customer (so the customer's timeline shows a live chat). Called once by demo.seed.seed_demo."""

from datetime import timedelta

from django.utils import timezone

from shopfloor.access import Actor
from shopfloor.live import chats, visitors
from shopfloor.live.identity import VisitorIdentity
from shopfloor.live.models import Sender

PAGES = ("/shop/", "/shop/products/", "/shop/search/?q=linen", "/shop/bag/")


def seed(associates: dict, customers: list, now=None) -> int:
    """Three earlier visitors per store; a chat between each store's first selling associate and one of their
    customers. Returns the visitors made."""
    now = now or timezone.now()
    made = 0
    stores = {associate.store_id: associate.store for associate in associates.values()}
    for store in stores.values():
        for number in range(3):
            seen = now - timedelta(days=number + 1, hours=number)
            visitor = visitors.connect_visitor(VisitorIdentity(store), f"demo-visitor-{store.pk}-{number:04d}",
                                               now=seen)
            for step, path in enumerate(PAGES[: number + 2]):
                visitors.record_page_view(visitor.pk, f"http://127.0.0.1:8000{path}", path.strip("/") or "Home",
                                          now=seen + timedelta(seconds=40 * step))
            visitors.disconnect_visitor(visitor.pk, now=seen + timedelta(minutes=5))
            made += 1
        seller = next((a for a in associates.values() if a.store_id == store.pk and a.user and not a.is_manager),
                      None)
        customer = next((c for c in customers if c.store_id == store.pk and seller is not None
                         and c.assignments.filter(associate=seller).exists()), None)
        if seller is None or customer is None:
            continue
        when = now - timedelta(days=2)
        visitor = visitors.connect_visitor(VisitorIdentity(store, customer=customer),
                                           f"demo-customer-{customer.pk:08d}", now=when)
        visitors.record_page_view(visitor.pk, "http://127.0.0.1:8000/shop/products/", "Shop all", now=when)
        chat = chats.start_chat(Actor(seller.user), visitor.pk, now=when)
        chats.associate_says(Actor(seller.user), chat.pk, "Hello! Can I help you find something?", now=when)
        chats.visitor_says(visitor, "I'm looking for linen napkins in sage green.",
                              now=when + timedelta(minutes=1))
        chats.associate_says(Actor(seller.user), chat.pk, "We have them in sets of four; I'll send you the link.",
                                now=when + timedelta(minutes=2))
        chats.close_chat(chat, Sender.ASSOCIATE, now=when + timedelta(minutes=5))
        visitors.disconnect_visitor(visitor.pk, now=when + timedelta(minutes=6))
        made += 1
    return made
