"""Rules that live in lookbooks.services: the expiry day of the console's form, the click and its referral."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shopfloor.access import actor_for
from shopfloor.attribution.models import ReferralClick
from shopfloor.errors import InvalidInput
from shopfloor.lookbooks import services
from shopfloor.lookbooks.models import Lookbook, LookbookEvent


def test_an_expiry_day_ends_at_the_end_of_that_day_in_the_stores_time_zone(world, make_lookbook):
    world.north.timezone = "Europe/Lisbon"
    world.north.save()
    day = (timezone.now() + timedelta(days=40)).date()
    lookbook = make_lookbook(world.ana, world.anas_customer, expires_on=day.isoformat())
    assert lookbook.expires_at == datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=ZoneInfo("Europe/Lisbon"))
    services.update_lookbook(actor_for(world.ana.user), lookbook, {"expires_on": day + timedelta(days=1)})
    lookbook.refresh_from_db()
    assert lookbook.expires_at.astimezone(ZoneInfo("Europe/Lisbon")).date() == day + timedelta(days=1)
    services.update_lookbook(actor_for(world.ana.user), lookbook, {"expires_on": "  "})
    lookbook.refresh_from_db()
    assert lookbook.expires_at is None


def test_a_store_without_a_known_time_zone_ends_the_day_in_utc(world, make_lookbook):
    world.north.timezone = "Mars/Olympus"
    world.north.save()
    day = (timezone.now() + timedelta(days=3)).date()
    lookbook = make_lookbook(world.ana, world.anas_customer, expires_on=day.isoformat())
    assert lookbook.expires_at == datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("value, message", [
    ("31/01/2099", "A date, like 2026-12-31."),
    ("2026-02-30", "A date, like 2026-12-31."),
    (42, "A date, like 2026-12-31."),
    ("2001-01-01", "Must be in the future."),
    ((date.today() + timedelta(days=800)).isoformat(), "At most 366 days from now."),
])
def test_a_bad_expiry_day_names_the_field_and_makes_nothing(world, make_lookbook, value, message):
    with pytest.raises(InvalidInput) as refused:
        make_lookbook(world.ana, world.anas_customer, expires_on=value)
    assert refused.value.errors == [(("body", "expires_on"), message)]
    assert not Lookbook.objects.exists()


def test_a_click_records_the_authors_referral_with_it(world, make_lookbook):
    lookbook = make_lookbook(world.ana, world.anas_customer)
    item = lookbook.items.first()
    assert services.record_product_click(lookbook, item, "visitor-1", next_path="/shop/products/LGT-1/") is True
    click = ReferralClick.objects.get()
    event = LookbookEvent.objects.get()
    assert (click.associate, click.customer, click.visitor_id, click.next_path) == (
        world.ana, world.anas_customer, "visitor-1", "/shop/products/LGT-1/")
    assert click.clicked_at == event.occurred_at


def test_a_click_on_an_inactive_authors_lookbook_counts_without_a_referral(world, make_lookbook):
    lookbook = make_lookbook(world.ana, world.anas_customer)
    world.ana.active = False
    world.ana.save()
    lookbook.refresh_from_db()
    assert services.record_product_click(lookbook, lookbook.items.first(), "visitor-1") is False
    lookbook.refresh_from_db()
    assert lookbook.click_count == 1 and not ReferralClick.objects.exists()


def test_the_click_and_its_referral_are_written_together_or_not_at_all(world, make_lookbook, monkeypatch):
    lookbook = make_lookbook(world.ana, world.anas_customer)

    def broken(*args, **kwargs):
        raise RuntimeError("the referral could not be written")

    monkeypatch.setattr(services, "record_referral_click", broken)
    with pytest.raises(RuntimeError):
        services.record_product_click(lookbook, lookbook.items.first(), "visitor-1")
    lookbook.refresh_from_db()
    assert lookbook.click_count == 0 and not LookbookEvent.objects.exists()
