"""Consent rules combined (hypothesis): whatever the customer's contact data and choices, the channel and the
template's purpose, a message goes exactly when it may, and a refused one leaves no trace."""

import os

from django.core import mail
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopfloor import sms
from shopfloor.access import actor_for
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.outreach import services as outreach
from shopfloor.outreach.models import MessageTemplate, OutreachMessage, Purpose

EXAMPLES = int(os.environ.get("SHOPFLOOR_PROPERTY_EXAMPLES", "60"))

cases = st.fixed_dictionaries({
    "has_email": st.booleans(), "email_opt_in": st.booleans(), "has_phone": st.booleans(),
    "sms_opt_in": st.booleans(), "channel": st.sampled_from(["email", "sms"]),
    "purpose": st.sampled_from([None, Purpose.MARKETING, Purpose.TRANSACTIONAL]),
})


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=cases)
def test_a_message_goes_exactly_when_consent_or_its_purpose_allows(world, run_tasks, case):
    with transaction.atomic():
        mail.outbox = []
        sms.outbox.clear()
        customer = world.anas_customer
        customer.email = "alice@example.com" if case["has_email"] else ""
        customer.phone = "+351912345678" if case["has_phone"] else ""
        customer.email_opt_in, customer.sms_opt_in = case["email_opt_in"], case["sms_opt_in"]
        customer.save()
        data = {"channel": case["channel"], "body": "Hello {{first_name}}"}
        if case["purpose"]:
            data["template_id"] = MessageTemplate.objects.create(name="t", purpose=case["purpose"], body="Hi").pk
        address = customer.email if case["channel"] == "email" else customer.phone
        agreed = case["email_opt_in"] if case["channel"] == "email" else case["sms_opt_in"]
        marketing = case["purpose"] != Purpose.TRANSACTIONAL

        try:
            message = outreach.send_message(actor_for(world.ana.user), customer, data)
        except InvalidInput:
            outcome = "no address"
        except Conflict:
            outcome = "no consent"
        else:
            outcome = "sent"
        run_tasks()  # what the worker does once the message has committed: deliver it

        if not address:
            assert outcome == "no address"
        elif marketing and not agreed:
            assert outcome == "no consent"
        else:
            assert outcome == "sent"
            message.refresh_from_db()
            assert message.status == "sent"
            assert (message.unsubscribe_token is not None) == (marketing and case["channel"] == "email")
        delivered = len(mail.outbox) + len(sms.outbox)
        assert delivered == (1 if outcome == "sent" else 0)
        assert OutreachMessage.objects.count() == (1 if outcome == "sent" else 0)
        transaction.set_rollback(True)
