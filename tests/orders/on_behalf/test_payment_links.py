"""Payment links: the page, paying with the test cards, expiry, replay, tampering, reminders, commissions."""

import base64
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail, signing
from django.utils import timezone

from shopfloor import sms
from shopfloor.access import actor_for
from shopfloor.accounts.models import AuditEvent
from shopfloor.commissions.models import CommissionRule, LedgerEntry
from shopfloor.orders import payment_links
from shopfloor.orders.models import OrderStatus, Payment, PaymentLink
from shopfloor.orders.on_behalf import services as on_behalf
from shopfloor.orders.services import change_order_status

pytestmark = pytest.mark.django_db

APPROVED = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"


@pytest.fixture
def pending(world, shop, allow, run_tasks):
    """A pending-payment order Ana placed for Alice (2 lamps, 178.00), its link (sent) and the link's path."""
    allow()
    CommissionRule.objects.create(name="Ten percent", kind="percentage", value=Decimal("10"))
    order, link, _ = on_behalf.place_order(
        actor_for(world.ana.user), world.anas_customer.pk,
        on_behalf.catalog_lines([{"sku": "LAMP-1", "quantity": 2}]), base_url="http://shop.test",
    )
    run_tasks()
    return order, link, payment_links.link_path(link)


def earnings(order):
    return list(LedgerEntry.objects.filter(order=order).values_list("associate_id", "amount", "status"))


def test_the_customer_gets_an_email_with_a_signed_link_that_shows_the_order(world, pending, client):
    order, link, path = pending
    [email] = mail.outbox
    assert email.to == [world.anas_customer.email]
    assert email.subject == "Your order from North Store is ready to pay"
    assert f"http://shop.test{path}" in email.body
    assert "Ana Pop placed order" in email.body
    assert sms.outbox == []  # Alice did not agree to text messages
    link.refresh_from_db()
    assert link.sent_at is not None
    assert link.expires_at - link.created_at == pytest.approx(timedelta(days=7), abs=timedelta(seconds=5))
    page = client.get(path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Review and pay your order" in text
    assert "Cork lamp" in text and "178.00" in text
    assert page["Cache-Control"].startswith("max-age=0")


def test_a_customer_who_agreed_to_sms_also_gets_a_text(world, shop, allow, run_tasks):
    allow()
    world.anas_customer.sms_opt_in = True
    world.anas_customer.phone = "+351912345678"
    world.anas_customer.save()
    on_behalf.place_order(actor_for(world.ana.user), world.anas_customer.pk,
                          on_behalf.catalog_lines([{"sku": "BOWL-2", "quantity": 1}]))
    run_tasks()
    [text] = sms.outbox
    assert text["to"] == "+351912345678"
    assert "/pay/" in text["body"] and "24.50 EUR" in text["body"]


def test_paying_with_the_test_card_places_the_order_and_moves_the_commission_into_the_ledger(world, pending, client):
    order, link, path = pending
    assert earnings(order) == []  # pending payment earns nothing
    response = client.post(path, {"card_number": APPROVED})
    assert response.status_code == 302 and response["Location"] == path
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    [payment] = Payment.objects.all()
    assert (payment.status, payment.amount, payment.card_last4, payment.provider) == (
        "approved", Decimal("178.00"), "4242", "test")
    assert earnings(order) == [(world.ana.pk, Decimal("17.80"), "pending")]
    done = client.get(path)
    assert done.status_code == 200
    assert "Thank you, your order is paid" in done.content.decode()
    assert "card ending 4242" in done.content.decode()
    assert AuditEvent.objects.filter(verb="order.paid", target_id=str(order.pk)).count() == 1
    # Ana hears about it.
    assert world.ana.user.notifications.filter(kind="payment").count() == 1


def test_a_link_replayed_after_payment_charges_nothing_more(world, pending, client):
    order, link, path = pending
    client.post(path, {"card_number": APPROVED})
    again = client.post(path, {"card_number": APPROVED})
    assert again.status_code == 200
    assert "Thank you, your order is paid" in again.content.decode()
    assert Payment.objects.count() == 1
    assert earnings(order) == [(world.ana.pk, Decimal("17.80"), "pending")]
    outcome = payment_links.pay_link(path.split("/")[2], APPROVED)
    assert outcome.already_paid and outcome.paid


def test_a_declined_card_is_recorded_and_the_customer_may_try_again(world, pending, client):
    order, link, path = pending
    response = client.post(path, {"card_number": DECLINED})
    assert response.status_code == 200
    assert "Your card was declined." in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert list(Payment.objects.values_list("status", flat=True)) == ["declined"]
    assert earnings(order) == []
    client.post(path, {"card_number": APPROVED})
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


@pytest.mark.parametrize("card, says", [
    ("", "Enter a valid card number."),
    ("1234 5678", "Enter a valid card number."),
    ("5555 5555 5555 4444", "test cards only"),
])
def test_a_card_number_that_is_not_a_test_card_is_refused_and_nothing_is_written(pending, client, card, says):
    order, link, path = pending
    response = client.post(path, {"card_number": card})
    assert response.status_code == 422
    assert says in response.content.decode()
    assert not Payment.objects.exists()


def test_an_expired_link_answers_a_clear_page_and_charges_nothing(pending, client):
    order, link, path = pending
    PaymentLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for response in (client.get(path), client.post(path, {"card_number": APPROVED})):
        assert response.status_code == 410
        assert "This payment link has expired" in response.content.decode()
        assert "Ana Pop" in response.content.decode()
    assert not Payment.objects.exists()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def _tampered(token: str, **changes) -> str:
    """The token with its payload changed and its signature kept (what an attacker can do)."""
    payload, rest = token.split(":", 1)
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{forged}:{rest}"


@pytest.mark.parametrize("changes", [{"a": "1.00"}, {"o": 999999}, {"l": 999999}, {"n": "guess"}])
def test_a_changed_amount_or_order_id_in_the_link_answers_a_clear_page(pending, client, changes):
    order, link, path = pending
    token = path.split("/")[2]
    forged = _tampered(token, **changes)
    assert forged != token
    for response in (client.get(f"/pay/{forged}/"), client.post(f"/pay/{forged}/", {"card_number": APPROVED})):
        assert response.status_code == 400
        assert "This payment link is not valid" in response.content.decode()
    assert not Payment.objects.exists()


def test_a_link_signed_with_another_key_or_cut_short_is_not_valid(pending, client):
    order, link, path = pending
    token = path.split("/")[2]
    foreign = signing.dumps({"l": link.pk, "o": order.pk, "a": "178.00", "n": link.nonce}, key="not-ours",
                            salt=payment_links.SALT)
    for bad in (foreign, token[:-3], "nonsense", "a:b:c"):
        response = client.get(f"/pay/{bad}/")
        assert response.status_code == 400, bad
        assert "This payment link is not valid" in response.content.decode()


def test_a_new_link_replaces_the_old_one(world, pending, client):
    order, link, path = pending
    newer = payment_links.issue_link(order, world.ana)
    response = client.get(path)
    assert response.status_code == 410
    assert "This payment link was replaced" in response.content.decode()
    assert client.get(payment_links.link_path(newer)).status_code == 200


def test_a_cancelled_orders_link_is_dead(world, pending, client):
    order, link, path = pending
    change_order_status(actor_for(world.admin), order, OrderStatus.CANCELLED)
    response = client.post(path, {"card_number": APPROVED})
    assert response.status_code == 410
    assert "This order was cancelled" in response.content.decode()
    assert not Payment.objects.exists()
    assert earnings(order) == []


def test_a_repeated_provider_callback_records_one_payment(world, pending):
    order, link, path = pending
    first = payment_links.record_provider_payment("test", "ch_1", order.pk, Decimal("178.00"), "EUR")
    again = payment_links.record_provider_payment("test", "ch_1", order.pk, Decimal("178.00"), "EUR")
    assert first.paid and not first.already_paid
    assert again.already_paid and again.payment == first.payment
    assert Payment.objects.count() == 1
    assert earnings(order) == [(world.ana.pk, Decimal("17.80"), "pending")]
    link.refresh_from_db()
    assert link.revoked_at is not None  # the page now says paid
    with pytest.raises(Exception, match="paid already"):
        payment_links.record_provider_payment("test", "ch_2", order.pk, Decimal("178.00"), "EUR")


def test_the_reminder_goes_once_after_48_hours_to_unpaid_links_only(world, pending, shop, allow, run_tasks):
    order, link, path = pending
    paid_order, paid_link, _ = on_behalf.place_order(
        actor_for(world.ana.user), world.anas_customer.pk,
        on_behalf.catalog_lines([{"sku": "BOWL-2", "quantity": 1}]))
    payment_links.pay_link(payment_links.link_token(paid_link), APPROVED)
    run_tasks()
    mail.outbox.clear()
    now = timezone.now()
    assert payment_links.send_due_reminders(now + timedelta(hours=47)) == 0
    assert payment_links.send_due_reminders(now + timedelta(hours=48, minutes=1)) == 1
    assert payment_links.send_due_reminders(now + timedelta(hours=49)) == 0
    run_tasks()
    [email] = mail.outbox
    assert email.subject == "Reminder: your order from North Store is waiting for payment"
    assert payment_links.link_path(link) in email.body
    # An expired link is not reminded.
    PaymentLink.objects.filter(pk=link.pk).update(reminded_at=None)
    assert payment_links.send_due_reminders(now + timedelta(days=8)) == 0


def test_the_reminder_job_is_scheduled():
    from shopfloor.jobs import SCHEDULE

    assert "shopfloor.orders.tasks.send_payment_reminders_task" in [path for path, _ in SCHEDULE]


def _callback(client, body: dict, signature: str | None = None):
    from shopfloor.orders.payments import TestProvider

    raw = json.dumps(body).encode()
    signature = TestProvider().callback_signature(raw) if signature is None else signature
    return client.post("/pay/callbacks/test/", raw, content_type="application/json",
                       headers={"X-Test-Provider-Signature": signature})


def test_the_providers_callback_over_http_records_the_payment_once(world, pending, client):
    order, link, path = pending
    body = {"reference": "test_ch_cb1", "order_id": order.pk, "amount": "178.00", "currency": "EUR"}
    first = _callback(client, body)
    again = _callback(client, body)
    assert (first.status_code, again.status_code) == (200, 200)
    assert (first.json()["recorded"], again.json()["recorded"]) == (True, False)
    assert Payment.objects.count() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert earnings(order) == [(world.ana.pk, Decimal("17.80"), "pending")]
    assert "Thank you, your order is paid" in client.get(path).content.decode()


@pytest.mark.parametrize("body, signature, status", [
    ({"reference": "x", "order_id": 1, "amount": "178.00", "currency": "EUR"}, "forged", 400),
    ({"reference": "x"}, None, 400),
    ({"reference": "x", "order_id": 999999, "amount": "178.00", "currency": "EUR"}, None, 409),
    ({"reference": "x", "order_id": None, "amount": "1.00", "currency": "EUR"}, None, 400),
])
def test_a_forged_or_wrong_callback_records_nothing(pending, client, body, signature, status):
    assert _callback(client, body, signature).status_code == status
    assert not Payment.objects.exists()


def test_a_callback_with_another_amount_is_refused(pending, client):
    order, link, path = pending
    body = {"reference": "test_ch_cb2", "order_id": order.pk, "amount": "1.00", "currency": "EUR"}
    assert _callback(client, body).status_code == 409
    assert not Payment.objects.exists()


def test_an_unknown_provider_has_no_callback(client):
    assert client.post("/pay/callbacks/stripe/", b"{}", content_type="application/json").status_code == 404
