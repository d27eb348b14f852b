"""The demo holds one order placed on a customer's behalf, waiting for payment through its link; once."""

import io
import re

from django.core import mail
from django.core.management import call_command
from django.test import Client

from shopfloor.demo.management.commands.demo import ON_BEHALF_EXTERNAL_ID, seed_on_behalf_order
from shopfloor.demo.seed import SHOPPER_EMAIL, seed_demo
from shopfloor.orders import payment_links
from shopfloor.orders.models import OnBehalfPermission, OnBehalfSettings, Order, OrderStatus, PaymentLink


def pay_token(text: str) -> str:
    return re.search(r"/pay/([^/\s]+)/", text).group(1)


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_the_demo_command_places_the_order_once_with_its_payment_link(db, run_tasks):
    first = run_demo()
    run_tasks()  # a worker (the server's, under `shopfloor serve --demo`) sends what the command asked for
    order = Order.objects.get(external_id=ON_BEHALF_EXTERNAL_ID)
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert (order.customer.email, order.placed_by_associate.name) == (SHOPPER_EMAIL, "Tiago Moreira")
    assert order.lines.count() == 2
    link = PaymentLink.objects.get(order=order)
    assert (link.paid_at, link.revoked_at, link.amount) == (None, None, order.total)
    assert "Seeded the demo data" in first
    assert f"Placed {ON_BEHALF_EXTERNAL_ID} on Carolina Mendes's behalf by Tiago Moreira" in first
    # The printed link is this order's (its token carries a timestamp, so compare what it names).
    assert payment_links.link_for_token(pay_token(first)) == link
    # The customer got the link, as from any order placed on her behalf, and it opens.
    sent = [message for message in mail.outbox if message.to == [SHOPPER_EMAIL]]
    assert len(sent) == 1
    token = pay_token(sent[0].body)
    assert payment_links.link_for_token(token) == link
    assert Client().get(f"/pay/{token}/").status_code == 200

    second = run_demo()
    run_tasks()
    assert "already there; nothing changed" in second
    assert Order.objects.filter(external_id=ON_BEHALF_EXTERNAL_ID).count() == 1
    assert PaymentLink.objects.count() == 1
    assert len([message for message in mail.outbox if message.to == [SHOPPER_EMAIL]]) == 1


def test_a_demo_seeded_before_the_order_existed_gets_it_on_the_next_run(db):
    seed_demo()
    assert not Order.objects.filter(external_id=ON_BEHALF_EXTERNAL_ID).exists()
    # While the retailer has turned shopping as a customer off, the command says why and carries on.
    OnBehalfSettings.objects.create(pk=1, associate_permission=OnBehalfPermission.NOTHING)
    out, err = io.StringIO(), io.StringIO()
    call_command("demo", stdout=out, stderr=err)
    assert "was not placed: Your retailer has turned shopping as a customer off." in err.getvalue()
    assert not Order.objects.filter(external_id=ON_BEHALF_EXTERNAL_ID).exists()
    OnBehalfSettings.objects.filter(pk=1).update(associate_permission=OnBehalfPermission.PENDING_PAYMENT_ONLY)
    out = run_demo()
    assert "already there" not in out and f"Placed {ON_BEHALF_EXTERNAL_ID}" in out
    assert "already there; nothing changed" in run_demo()
    assert Order.objects.filter(external_id=ON_BEHALF_EXTERNAL_ID).count() == 1


def test_without_the_demo_data_nothing_is_placed(db):
    assert seed_on_behalf_order() is None
    assert not Order.objects.exists()
