"""Who sees which visitors and chats (access.py), through the API, the console and the services."""

import pytest
from django.test import Client
from django.utils import timezone

from shopfloor.access import Actor, visible_live_chats, visible_live_visitors
from shopfloor.live import chats, visitors
from shopfloor.live.identity import VisitorIdentity
from shopfloor.live.models import Chat, ChatOrigin, ChatStatus, Visitor
from tests.live.conftest import visitor_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_site(world):
    """An anonymous North visitor, Ana's customer browsing North, and an anonymous South visitor."""
    now = timezone.now()
    anonymous = visitors.connect_visitor(VisitorIdentity(world.north), visitor_key(), now=now)
    visitors.record_page_view(anonymous.pk, "http://testserver/shop/a/", "A", now=now)
    anas = visitors.connect_visitor(VisitorIdentity(world.north, customer=world.anas_customer), visitor_key(), now=now)
    south = visitors.connect_visitor(VisitorIdentity(world.south), visitor_key(), now=now)
    return {"anonymous": anonymous, "anas": anas, "south": south}


@pytest.mark.parametrize("person, expected", [
    ("ana", {"anonymous", "anas"}),
    ("bruno", {"anonymous"}),
    ("nora", {"anonymous", "anas"}),
    ("tom", {"south"}),
    ("sam", {"south"}),
    ("admin", {"anonymous", "anas", "south"}),
    ("shopper", set()),
])
def test_visitors_are_visible_by_store_and_customer(world, on_site, person, expected):
    user = world.admin if person == "admin" else (world.shopper.user if person == "shopper" else
                                                  getattr(world, person).user)
    names = {name for name, visitor in on_site.items() if visible_live_visitors(Actor(user)).filter(
        pk=visitor.pk).exists()}
    assert names == expected


def test_a_waiting_request_from_a_customer_may_be_answered_by_any_associate_of_the_store(world, on_site):
    assert not visible_live_visitors(Actor(world.bruno.user)).filter(pk=on_site["anas"].pk).exists()
    chat = chats.request_chat(on_site["anas"])
    assert visible_live_visitors(Actor(world.bruno.user)).filter(pk=on_site["anas"].pk).exists()
    assert visible_live_chats(Actor(world.bruno.user)).filter(pk=chat.pk).exists()
    assert not visible_live_chats(Actor(world.tom.user)).filter(pk=chat.pk).exists()


def test_a_chat_with_an_anonymous_visitor_stays_with_its_owner_in_associate_mode(world, on_site):
    chat = chats.start_chat(Actor(world.ana.user), on_site["anonymous"].pk)
    assert set(visible_live_chats(Actor(world.ana.user)).values_list("pk", flat=True)) == {chat.pk}
    assert not visible_live_chats(Actor(world.bruno.user)).exists()
    assert visible_live_chats(Actor(world.nora.user)).filter(pk=chat.pk).exists()
    assert visible_live_chats(Actor(world.admin)).filter(pk=chat.pk).exists()


def test_team_mode_associates_see_the_stores_chats(world, on_site):
    chat = chats.start_chat(Actor(world.tom.user), on_site["south"].pk)
    assert visible_live_chats(Actor(world.tina.user)).filter(pk=chat.pk).exists()
    assert not visible_live_chats(Actor(world.ana.user)).filter(pk=chat.pk).exists()


def test_an_associate_cannot_start_a_chat_with_a_visitor_they_may_not_see(world, on_site):
    from shopfloor.access import NotVisible

    with pytest.raises(NotVisible):
        chats.start_chat(Actor(world.tom.user), on_site["anonymous"].pk)
    with pytest.raises(NotVisible):
        chats.start_chat(Actor(world.bruno.user), on_site["anas"].pk)
    assert Chat.objects.count() == 0


def test_the_api_lists_the_live_visitors_the_caller_may_see(world, on_site, api_as):
    response = api_as(world.bruno.user).get("/api/v1/live/visitors")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["items"][0]
    assert row["id"] == on_site["anonymous"].pk
    assert (row["current_url"], row["status"], row["visit_count"]) == ("http://testserver/shop/a/", "active", 1)
    assert [v["id"] for v in api_as(world.admin).get("/api/v1/live/visitors").json()["items"]] == [
        on_site["anonymous"].pk, on_site["anas"].pk, on_site["south"].pk]


def test_the_api_refuses_shoppers_and_strangers(world, api_as):
    assert api_as(world.shopper.user).get("/api/v1/live/visitors").status_code == 403
    assert Client().get("/api/v1/live/visitors").status_code == 401


def test_the_live_list_query_count_does_not_grow_with_visitors(world, django_assert_max_num_queries, api_as):
    client = api_as(world.admin)
    for _ in range(6):
        visitor = visitors.connect_visitor(VisitorIdentity(world.north), visitor_key())
        Chat.objects.create(store=world.north, visitor=visitor, origin=ChatOrigin.REACTIVE,
                            status=ChatStatus.WAITING, created_at=timezone.now())
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/live/visitors").json()["count"] == 6


def test_offline_visitors_are_listed_for_five_minutes_then_dropped(world, on_site, api_as):
    from datetime import timedelta

    visitors.disconnect_visitor(on_site["anonymous"].pk)
    rows = api_as(world.bruno.user).get("/api/v1/live/visitors").json()["items"]
    assert [(r["id"], r["status"]) for r in rows] == [(on_site["anonymous"].pk, "offline")]
    Visitor.objects.filter(pk=on_site["anonymous"].pk).update(offline_since=timezone.now() - timedelta(minutes=6))
    assert api_as(world.bruno.user).get("/api/v1/live/visitors").json()["items"] == []


def test_a_visitor_whose_heartbeats_stopped_is_offline(world, on_site, api_as):
    from datetime import timedelta

    Visitor.objects.filter(pk=on_site["anonymous"].pk).update(heartbeat_at=timezone.now() - timedelta(seconds=90))
    rows = api_as(world.bruno.user).get("/api/v1/live/visitors").json()["items"]
    assert [r["status"] for r in rows] == ["offline"]


def test_idle_and_hidden_tabs_show_idle(world, on_site):
    from shopfloor.live.selectors import visitor_row

    visitors.report_activity(on_site["anonymous"].pk, "hidden")
    assert visitor_row(Visitor.objects.get(pk=on_site["anonymous"].pk))["status"] == "idle"
    visitors.report_activity(on_site["anonymous"].pk, "active")
    assert visitor_row(Visitor.objects.get(pk=on_site["anonymous"].pk))["status"] == "active"


# The console --------------------------------------------------------------------------------------------


def console_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_workspace_page_opens_for_associates_with_their_availability(world):
    response = console_as(world.ana.user).get("/console/live/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Live visitors" in html
    assert 'name="availability" value="away" checked' in html
    assert 'href="/console/live/"' in html  # the navigation entry


def test_the_workspace_is_for_staff_only(world):
    assert console_as(world.shopper.user).get("/console/live/").status_code == 403
    assert Client().get("/console/live/").status_code == 302


def test_a_visitors_history_answers_404_to_those_who_may_not_see_them(world, on_site):
    url = f"/console/live/visitors/{on_site['anas'].pk}/"
    detail = console_as(world.ana.user).get(url)
    assert detail.status_code == 200
    assert detail.json()["customer_url"] == f"/console/customers/{world.anas_customer.pk}/"
    assert console_as(world.bruno.user).get(url).status_code == 404
    assert console_as(world.tom.user).get(url).status_code == 404


def test_a_visitors_history_lists_visits_and_page_views(world, on_site):
    visitors.record_page_view(on_site["anonymous"].pk, "http://testserver/shop/b/", "B")
    detail = console_as(world.bruno.user).get(f"/console/live/visitors/{on_site['anonymous'].pk}/").json()
    assert [v["url"] for v in detail["page_views"]] == ["http://testserver/shop/b/", "http://testserver/shop/a/"]
    assert (detail["visit_count"], detail["page_view_count"], len(detail["visits"])) == (1, 2, 1)


def test_a_transcript_is_shown_to_those_who_see_the_chat(world, on_site):
    chat = chats.start_chat(Actor(world.ana.user), on_site["anas"].pk)
    chats.associate_says(Actor(world.ana.user), chat.pk, "Your sofa arrived <b>today</b>")
    page = console_as(world.ana.user).get(f"/console/live/chats/{chat.pk}/transcript/")
    assert page.status_code == 200
    assert "Your sofa arrived &lt;b&gt;today&lt;/b&gt;" in page.content.decode()
    assert console_as(world.bruno.user).get(f"/console/live/chats/{chat.pk}/transcript/").status_code == 404
