"""Visitors, visits and page views: recognition, time on page, location, identity, retention, the beacon."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shopfloor.live import geo, visitors
from shopfloor.live.identity import VisitorIdentity, identify
from shopfloor.live.models import LiveSettings, PageView, Visit, Visitor
from shopfloor.live.tasks import purge_old_visitors_task
from tests.live.conftest import anonymous_token, customer_token, visitor_key

pytestmark = pytest.mark.django_db

PORTUGAL = "81.193.0.1"


def test_a_returning_visitor_is_recognised_and_a_new_visit_starts_after_30_minutes(world):
    key = visitor_key()
    start = timezone.now() - timedelta(hours=2)
    visitor = visitors.connect_visitor(VisitorIdentity(world.north), key, now=start)
    visitors.record_page_view(visitor.pk, "http://shop.test/a", "A", now=start)
    visitors.disconnect_visitor(visitor.pk, now=start + timedelta(minutes=1))
    # Back within half an hour: the same visit.
    visitors.connect_visitor(VisitorIdentity(world.north), key, now=start + timedelta(minutes=20))
    visitors.disconnect_visitor(visitor.pk, now=start + timedelta(minutes=21))
    # Back after more than half an hour: a new visit of the same visitor.
    again = visitors.connect_visitor(VisitorIdentity(world.north), key, now=start + timedelta(minutes=60))
    assert again.pk == visitor.pk
    assert again.visit_count == 2
    assert Visit.objects.filter(visitor=visitor).count() == 2
    assert Visitor.objects.count() == 1


def test_an_unusable_visitor_id_is_replaced(world):
    visitor = visitors.connect_visitor(VisitorIdentity(world.north), "x' OR 1=1")
    assert visitor.key != "x' OR 1=1"
    assert len(visitor.key) >= 16


def test_a_page_view_closes_the_time_on_the_previous_page(world):
    now = timezone.now()
    visitor = visitors.connect_visitor(VisitorIdentity(world.north), visitor_key(), now=now)
    first = visitors.record_page_view(visitor.pk, "http://shop.test/a", "A", now=now)
    visitors.record_page_view(visitor.pk, "http://shop.test/b", "B", "http://shop.test/a",
                              now=now + timedelta(seconds=42))
    first.refresh_from_db()
    assert first.seconds_on_page == 42
    visitor.refresh_from_db()
    assert (visitor.page_view_count, visitor.current_url, visitor.current_title) == (2, "http://shop.test/b", "B")
    assert visitor.page_started_at == now + timedelta(seconds=42)
    assert Visit.objects.get(visitor=visitor).page_view_count == 2


def test_the_same_load_reported_twice_is_one_page_view(world):
    now = timezone.now()
    visitor = visitors.connect_visitor(VisitorIdentity(world.north), visitor_key(), now=now)
    visitors.record_page_view(visitor.pk, "http://shop.test/a", now=now)
    visitors.record_page_view(visitor.pk, "http://shop.test/a", now=now + timedelta(milliseconds=300))
    assert PageView.objects.count() == 1


@pytest.mark.parametrize("url", ["", "ftp://shop.test/a", "javascript:alert(1)", "http://" + "a" * 1000, None, 42])
def test_a_bad_page_url_is_refused_and_nothing_is_written(world, url):
    from shopfloor.errors import InvalidInput

    visitor = visitors.connect_visitor(VisitorIdentity(world.north), visitor_key())
    with pytest.raises(InvalidInput) as refused:
        visitors.record_page_view(visitor.pk, url)
    assert refused.value.errors[0][0] == ("body", "url")
    assert PageView.objects.count() == 0


def test_the_location_comes_from_the_client_address(world):
    visitor = visitors.connect_visitor(VisitorIdentity(world.north), visitor_key(), peer=PORTUGAL)
    assert (visitor.country, visitor.country_name) == ("PT", "Portugal")


def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(world, settings):
    visitor = visitors.connect_visitor(VisitorIdentity(world.north), visitor_key(), peer="127.0.0.1",
                                       forwarded_for=PORTUGAL)
    assert visitor.country == ""
    settings.LIVE_TRUSTED_PROXIES = "127.0.0.1"
    visitor = visitors.connect_visitor(VisitorIdentity(world.north), visitor_key(), peer="127.0.0.1",
                                       forwarded_for=PORTUGAL)
    assert visitor.country == "PT"


def test_client_address_walks_the_forwarded_chain_from_the_nearest_hop(settings):
    settings.LIVE_TRUSTED_PROXIES = "10.0.0.0/8"
    assert geo.client_address("10.0.0.5", "1.2.3.4, 5.6.7.8, 10.0.0.9") == "5.6.7.8"
    assert geo.client_address("8.8.8.8", "1.2.3.4") == "8.8.8.8"
    assert geo.client_address("10.0.0.5", "") == "10.0.0.5"


def test_a_store_that_keeps_the_country_only_stores_no_city(world, monkeypatch):
    LiveSettings.objects.update_or_create(store=world.north, defaults={"country_only": True})
    seen = {}

    def locate(address, country_only=False):
        seen["country_only"] = country_only
        return geo.Location("PT", "Portugal", "" if country_only else "Lisbon")

    monkeypatch.setattr(geo, "locate", locate)
    visitor = visitors.connect_visitor(VisitorIdentity(world.north), visitor_key(), peer=PORTUGAL)
    assert seen == {"country_only": True}
    assert (visitor.country, visitor.city) == ("PT", "")


def test_a_signed_identity_links_the_customer_and_an_anonymous_one_never_does(world):
    identity = identify(customer_token(world.north, world.anas_customer), None)
    assert identity.customer == world.anas_customer
    anonymous = identify(anonymous_token(world.north), None)
    assert anonymous.customer is None and not anonymous.was_refused
    forged = identify("customer_id:1.forged", world.north.widget_key)
    assert forged.customer is None and forged.was_refused
    key = visitor_key()
    visitor = visitors.connect_visitor(anonymous, key)
    assert visitor.customer_id is None


def test_visitor_data_past_the_retention_is_purged(world):
    now = timezone.now()
    old = visitors.connect_visitor(VisitorIdentity(world.north), visitor_key(), now=now - timedelta(days=91))
    visitors.record_page_view(old.pk, "http://shop.test/a", now=now - timedelta(days=91))
    recent = visitors.connect_visitor(VisitorIdentity(world.north), visitor_key(), now=now - timedelta(days=89))
    short = visitors.connect_visitor(VisitorIdentity(world.south), visitor_key(), now=now - timedelta(days=8))
    LiveSettings.objects.update_or_create(store=world.south, defaults={"retention_days": 7})
    purge_old_visitors_task.call()
    assert list(Visitor.objects.values_list("pk", flat=True)) == [recent.pk]
    assert PageView.objects.count() == 0
    assert not Visitor.objects.filter(pk=short.pk).exists()
    assert purge_old_visitors_task.call() == 0


def test_the_purge_is_scheduled():
    from shopfloor.jobs import SCHEDULE

    assert ("shopfloor.live.tasks.purge_old_visitors_task", 86400) in SCHEDULE


# The beacon: page views when WebSockets are blocked -----------------------------------------------------


def beacon(body, origin="http://testserver"):
    return Client().post("/live/beacon", data=body if isinstance(body, str) else json.dumps(body),
                         content_type="text/plain", headers={"Origin": origin})


def test_the_beacon_records_a_page_view(world):
    key = visitor_key()
    response = beacon({"store": world.north.widget_key, "visitor": key, "url": "http://testserver/shop/",
                       "title": "Casa Lusa"})
    assert response.status_code == 204
    visitor = Visitor.objects.get(key=key)
    assert (visitor.page_view_count, visitor.current_title, visitor.connections) == (1, "Casa Lusa", 0)
    # Reporting by beacon, the shopper is still on the associates' live list.
    from shopfloor.access import Actor
    from shopfloor.live.selectors import live_visitors, visitor_row

    assert [visitor_row(v)["status"] for v in live_visitors(Actor(world.bruno.user))] == ["active"]


@pytest.mark.parametrize("body, status", [
    ("not json", 422),
    ('["a list"]', 422),
    ({"store": "nope", "visitor": "a" * 20, "url": "http://testserver/"}, 404),
    ({"visitor": "a" * 20, "url": "http://testserver/"}, 404),
    ({"store": "KEY", "visitor": "short", "url": "http://testserver/"}, 422),
    ({"store": "KEY", "visitor": "a" * 20, "url": "javascript:x"}, 422),
])
def test_the_beacon_refuses_bad_input_and_writes_nothing(world, body, status):
    if isinstance(body, dict) and body.get("store") == "KEY":
        body["store"] = world.north.widget_key
    response = beacon(body)
    assert response.status_code == status
    assert PageView.objects.count() == 0


def test_the_beacon_refuses_pages_outside_the_stores_origins(world):
    response = beacon({"store": world.north.widget_key, "visitor": visitor_key(), "url": "https://evil.example/"},
                      origin="https://evil.example")
    assert response.status_code == 403
    assert Visitor.objects.count() == 0
