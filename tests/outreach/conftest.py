"""Customers who agreed (or not) to marketing, and templates, over the `world` of tests/conftest.py."""

import pytest

from shopfloor import sms
from shopfloor.outreach.models import MessageTemplate, Purpose
from tests.lookbooks.conftest import catalog, make_lookbook  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    settings.SMS_URL = "locmem://"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def opted_in(world):
    """Ana's customer Alice, who agreed to marketing emails and texts."""
    customer = world.anas_customer
    customer.email_opt_in = True
    customer.sms_opt_in = True
    customer.phone = "+351912345678"
    customer.save()
    return customer


@pytest.fixture
def order_ready(db):
    return MessageTemplate.objects.create(
        name="Order ready", purpose=Purpose.TRANSACTIONAL, subject="Your order is ready, {{first_name}}",
        body="Hello {{first_name}}, your order is ready for collection. {{associate_name}}",
    )


@pytest.fixture
def new_season(db):
    return MessageTemplate.objects.create(
        name="New season", purpose=Purpose.MARKETING, channel="email", subject="New in for {{first_name}}",
        body="Hello {{first_name}}, the summer collection is here: http://testserver/shop/collections/summer/",
    )
