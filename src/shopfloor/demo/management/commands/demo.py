import time

from django.core.management.base import BaseCommand
from django.db import transaction

from shopfloor.access import Actor, NotAllowed, NotVisible
from shopfloor.accounts.models import Associate
from shopfloor.catalog.models import Product
from shopfloor.customers.models import Customer
from shopfloor.demo.seed import SHOPPER_EMAIL, is_seeded, seed_demo
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.orders import payment_links
from shopfloor.orders.models import Order, PaymentLink
from shopfloor.orders.on_behalf import services as on_behalf

# The demo's order placed on a customer's behalf: Tiago, the demo shopper's primary associate, put
# two pieces aside for her; it waits for her payment through the link she was sent.
ON_BEHALF_EXTERNAL_ID = "DEMO-OB-0001"
ON_BEHALF_ASSOCIATE_EMAIL = "tiago.moreira@shopfloor.demo"
ON_BEHALF_LINES = ((0, 1), (1, 2))  # (index among the in-stock products by SKU, quantity)


def seed_on_behalf_order() -> tuple[Order, PaymentLink] | None:
    """Place the demo's pending-payment order on the demo shopper's behalf, with its payment link (sent to
    her as any such link is). None when it is already there, or when there is no demo data to place it in.

    Kept apart from seed_demo so that a demo seeded before this order existed gets it on the next run.
    """
    if not is_seeded() or Order.objects.filter(external_id=ON_BEHALF_EXTERNAL_ID).exists():
        return None
    associate = Associate.objects.select_related("user").filter(email=ON_BEHALF_ASSOCIATE_EMAIL).first()
    customer = Customer.objects.filter(email=SHOPPER_EMAIL).first()
    if associate is None or associate.user is None or customer is None:
        raise NotAllowed("the demo's associate or shopper is no longer there")
    products = list(Product.objects.filter(in_stock=True).order_by("sku")[: len(ON_BEHALF_LINES)])
    lines = on_behalf.catalog_lines(
        [{"sku": products[index].sku, "quantity": quantity} for index, quantity in ON_BEHALF_LINES]
    )
    with transaction.atomic():
        order, link, _ = on_behalf.place_order(
            Actor(associate.user), customer.pk, lines, external_id=ON_BEHALF_EXTERNAL_ID
        )
    return order, link


class Command(BaseCommand):
    help = (
        "Seed the demo data: two stores, associates, 200 customers, 100 products, 500 orders, and one order "
        "placed on a customer's behalf waiting for payment (idempotent)."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        result = seed_demo()
        try:
            placed = seed_on_behalf_order()
        except (NotAllowed, NotVisible, InvalidInput, Conflict) as reason:
            # The demo was changed since it was seeded (shopping as a customer turned off, people removed):
            # the rest of the demo still serves, so say why and carry on.
            self.stderr.write(f"The demo's order on a customer's behalf was not placed: {reason}")
            placed = None
        if result.created:
            figures = ", ".join(f"{count} {name}" for name, count in result.counts.items())
            self.stdout.write(
                self.style.SUCCESS(f"Seeded the demo data in {time.monotonic() - started:.1f} s: {figures}.")
            )
        if placed is not None:
            order, link = placed
            self.stdout.write(
                f"Placed {order.external_id} on {order.customer}'s behalf by {order.placed_by_associate}, "
                f"waiting for payment ({order.total} {order.currency}); "
                f"payment link: {payment_links.link_path(link)}"
            )
        if not result.created and placed is None:
            self.stdout.write("The demo data is already there; nothing changed.")
