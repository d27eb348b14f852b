"""The demo lists: rooms, items and a conversation for the demo shopper and one of Ana's customers."""

from decimal import Decimal

from shopfloor.catalog.models import Product
from shopfloor.lists import demo
from shopfloor.lists.models import CommentAlert, CustomerList
from tests.factories import make_associate, make_customer, make_user


def test_the_demo_seeds_two_lists_with_rooms_and_comments_and_sends_nothing(world):
    tiago = make_associate(world.north, "Tiago Moreira", "tiago@example.com")
    ana = make_associate(world.north, "Ana Ribeiro", "ana.ribeiro@example.com")
    shopper = make_customer(world.north, "Carolina", "Mendes", primary=tiago, user=make_user("carolina@example.com"))
    hers = make_customer(world.north, "Marta", "Lima", primary=ana)
    products = [
        Product.objects.create(sku=f"CL-{code}-{number:03d}", name=f"{code} {number}", price=Decimal("10.00"))
        for code in ("LIV", "LGT", "TAB", "TEX", "KIT", "BAT") for number in (1, 2)
    ]
    assert demo.seed({"Tiago Moreira": tiago, "Ana Ribeiro": ana}, [shopper, hers], products) == 2
    lobby = CustomerList.objects.get(customer=shopper)
    assert list(lobby.rooms.values_list("name", flat=True)) == ["Lobby", "Guest rooms", "Breakfast room"]
    assert lobby.items.count() == 5 and lobby.comments.count() == 4 and lobby.notified_at is not None
    assert lobby.comments.filter(author_customer=shopper).count() == 2
    home = CustomerList.objects.get(customer=hers)
    assert (home.created_by, home.rooms.count(), home.comments.count()) == (ana.user, 2, 2)
    assert not CommentAlert.objects.filter(emailed_at__isnull=True).exists()


def test_the_customer_timeline_shows_lists_started_sent_and_the_customers_comments(world, anas_list, as_actor,
                                                                                   django_capture_on_commit_callbacks):
    from shopfloor.clienteling import timeline
    from shopfloor.lists import services

    with django_capture_on_commit_callbacks(execute=True):
        services.notify_customer(as_actor(world.ana), anas_list)
    side = services.CustomerSide(customer=world.anas_customer, customer_list=anas_list)
    services.add_comment(side, anas_list, "Looks great", item=anas_list.items.get(product__sku="LAMP-1"))
    deleted = services.create_list(as_actor(world.ana), world.anas_customer, "Scrapped")
    services.delete_list(as_actor(world.ana), deleted)
    entries = [e for e in timeline.page_for(world.anas_customer, actor=as_actor(world.ana)).entries if e.kind == "list"]
    assert [e.title for e in entries] == [
        "Commented on Cork Table Lamp in “Living room refresh”",
        "List “Living room refresh” sent",
        "List “Living room refresh” started",
    ]
    assert entries[0].detail == "Looks great"
    assert entries[2].url == f"/console/lists/{anas_list.pk}/"
