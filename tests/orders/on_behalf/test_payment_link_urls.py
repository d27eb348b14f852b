"""A payment link has one URL: the first email, the reminder and a repeated API answer all carry the same."""

import time
from types import SimpleNamespace

import pytest
from django.core import signing

from shopfloor.access import actor_for
from shopfloor.orders import payment_links
from shopfloor.orders.on_behalf import services as on_behalf

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(world, shop, allow):
    allow()
    _, link, _ = on_behalf.place_order(actor_for(world.ana.user), world.anas_customer.pk,
                                       on_behalf.catalog_lines([{"sku": "LAMP-1", "quantity": 1}]))
    return link


def test_a_link_has_the_same_url_whenever_it_is_made(link, monkeypatch):
    first = payment_links.link_path(link)
    two_days_later = time.time() + 48 * 3600  # when the reminder is sent
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: two_days_later))
    assert payment_links.link_path(link) == first


def test_a_link_signed_at_its_sending_time_still_opens(link, monkeypatch):
    # How tokens were made before they were stamped with the link's creation: links already sent keep working.
    a_minute_later = time.time() + 60
    monkeypatch.setattr(signing, "time", SimpleNamespace(time=lambda: a_minute_later))
    token = signing.dumps({"l": link.pk, "o": link.order_id, "a": str(link.amount), "n": link.nonce},
                          salt=payment_links.SALT, compress=False)
    assert token != payment_links.link_token(link)
    assert payment_links.link_for_token(token) == link
