"""A visitor's hello reads its store's facts in few queries (thousands of tabs reconnect at once after a restart),
and gives the same answers as reading them one by one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shopfloor.live import conf, presence
from shopfloor.live.identity import identify, origin_is_allowed, requires_verified_identity
from shopfloor.live.models import AssociateLive, Availability, LiveSettings
from shopfloor.widget.models import WidgetSettings
from tests.live.conftest import make_available

pytestmark = pytest.mark.django_db


def test_the_store_of_a_widget_key_comes_with_its_widget_and_live_settings_in_one_query(
        world, django_assert_num_queries):
    WidgetSettings.objects.create(store=world.north, allowed_origins="https://shop.north.test",
                                  require_verified_identity=True)
    LiveSettings.objects.create(store=world.north, country_only=True)
    with django_assert_num_queries(1):
        identity = identify(None, world.north.widget_key)
        assert identity.store == world.north
        assert requires_verified_identity(identity.store) is True
        assert origin_is_allowed(identity.store, "https://shop.north.test/", "http://testserver") is True
        assert origin_is_allowed(identity.store, "https://elsewhere.test", "http://testserver") is False
        assert origin_is_allowed(identity.store, "http://testserver", "http://testserver") is True
        assert conf.settings_for(identity.store).country_only is True


def test_a_store_without_widget_settings_has_the_defaults_without_another_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        identity = identify(None, world.south.widget_key)
        assert requires_verified_identity(identity.store) is False
        assert origin_is_allowed(identity.store, "https://shop.south.test", "http://testserver") is False


def test_an_unusable_widget_key_finds_no_store_and_asks_nothing(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert identify(None, "") is None
        assert identify(None, "k" * 41) is None
        assert identify(None, "key\x00") is None


def test_the_welcome_reads_the_launcher_and_the_requestable_associates_in_one_query(world, django_assert_num_queries):
    make_available(world.bruno)
    # Ana chose "available" but her workspace went quiet: present no more.
    AssociateLive.objects.create(associate=world.ana, availability=Availability.AVAILABLE,
                                 heartbeat_at=timezone.now() - timedelta(minutes=5))
    store = identify(None, world.north.widget_key).store  # as the hello has it, with its widget settings
    with django_assert_num_queries(1):
        talk_to_us, associates = presence.welcome_facts(store)
    assert talk_to_us is True
    assert associates == [{"id": world.ana.pk, "name": "Ana Pop"}, {"id": world.bruno.pk, "name": "Bruno Dias"},
                          {"id": world.nora.pk, "name": "Nora Manager"}]
    assert (talk_to_us, associates) == (presence.talk_to_us(world.north),
                                        presence.requestable_associates(world.north))


def test_the_welcome_hides_the_launcher_when_nobody_present_is_available(world):
    AssociateLive.objects.create(associate=world.ana, availability=Availability.AVAILABLE,
                                 heartbeat_at=timezone.now() - timedelta(minutes=5))
    make_available(world.tom)  # another store's
    assert presence.welcome_facts(world.north)[0] is False


def test_the_welcome_of_a_store_requiring_verified_identities_offers_talk_to_known_customers_only(world):
    WidgetSettings.objects.create(store=world.north, require_verified_identity=True)
    make_available(world.ana)
    assert presence.welcome_facts(world.north)[0] is False
    assert presence.welcome_facts(world.north, world.anas_customer)[0] is True


def test_a_team_store_welcome_names_nobody(world):
    make_available(world.tom)
    assert presence.welcome_facts(world.south) == (True, [])
