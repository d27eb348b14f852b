"""The customer's page /c/lookbook/<token>: opens and clicks are tracked, the click carries the author's
referral so the sale is credited, and a tampered, revoked or expired link shows a clear page (never a 5xx)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from shopfloor.access import actor_for
from shopfloor.attribution.models import Interaction, InteractionKind, ReferralClick
from shopfloor.comms.models import Notification, NotificationKind
from shopfloor.lookbooks import services
from shopfloor.lookbooks.models import Lookbook, LookbookEvent
from shopfloor.orders.services import record_order


@pytest.fixture
def lookbook(world, make_lookbook):
    return make_lookbook(world.ana, world.anas_customer)


def path_of(lookbook):
    return f"/c/lookbook/{lookbook.token}"


def test_the_customer_sees_their_lookbook_with_the_associates_notes(world, lookbook):
    response = Client().get(path_of(lookbook))
    assert response.status_code == 200
    page = response.content.decode()
    assert "For your living room" in page
    assert "For Alice" in page
    assert "Goes with your sofa" in page
    assert "Alfama table lamp" in page and "Minho linen throw" in page
    assert response["X-Robots-Tag"] == "noindex"
    # No asset from another site: fonts, scripts and pictures are the shop's own.
    assert "https://" not in page and "http://" not in page.replace("http://testserver", "")


def test_the_first_open_notifies_the_author_and_counts_as_an_interaction(world, lookbook):
    customer = Client()
    customer.get(path_of(lookbook))
    customer.get(path_of(lookbook))
    lookbook.refresh_from_db()
    assert lookbook.opened_at is not None
    assert lookbook.open_count == 2
    assert LookbookEvent.objects.filter(lookbook=lookbook, kind="opened").count() == 2
    notes = Notification.objects.filter(user=world.ana.user, kind=NotificationKind.LOOKBOOK)
    assert [note.title for note in notes] == ["Alice Almeida opened \u201cFor your living room\u201d"]
    # One interaction a day, whatever the reloads (attribution rule 4's evidence).
    interactions = Interaction.objects.filter(associate=world.ana, customer=world.anas_customer)
    assert [i.kind for i in interactions] == [InteractionKind.LOOKBOOK_OPENED]


def test_the_associate_previewing_their_lookbook_is_not_counted(world, lookbook):
    client = Client()
    client.force_login(world.ana.user)
    response = client.get(path_of(lookbook))
    assert response.status_code == 200
    assert "Preview" in response.content.decode()
    lookbook.refresh_from_db()
    assert (lookbook.open_count, lookbook.opened_at) == (0, None)
    assert not Notification.objects.filter(kind=NotificationKind.LOOKBOOK).exists()


def test_a_product_click_carries_the_authors_referral_and_the_sale_is_credited(world, lookbook, settings):
    settings.SHOPFLOOR = {**settings.SHOPFLOOR, "DEMO_SHOP_STORE": world.north.code}
    # The customer's primary associate is someone else, so only the referral can credit Ana.
    world.anas_customer.assignments.update(associate=world.bruno)
    item = lookbook.items.get(product__sku="LGT-1")
    customer = Client()
    response = customer.get(f"{path_of(lookbook)}/p/{item.pk}")
    assert response.status_code == 302
    assert response["Location"] == "/shop/products/LGT-1/"
    click = ReferralClick.objects.get()
    assert (click.associate, click.customer) == (world.ana, world.anas_customer)
    assert customer.cookies["shopfloor_referral"].value
    item.refresh_from_db()
    lookbook.refresh_from_db()
    assert (item.click_count, lookbook.click_count) == (1, 1)

    order, _ = record_order(actor_for(world.admin), {
        "external_id": "LB-1", "customer_id": world.anas_customer.pk,
        "lines": [{"sku": "LGT-1", "quantity": 1, "unit_price": Decimal("122.50")}],
        "visitor_id": customer.cookies["shopfloor_visitor"].value,
    })
    assert order.attributed_associate == world.ana
    assert order.attribution_rule == "referral"


def test_a_click_on_another_lookbooks_item_is_not_found(world, lookbook, make_lookbook):
    other = make_lookbook(world.ana, world.shopper)
    foreign_item = other.items.first()
    response = Client().get(f"{path_of(lookbook)}/p/{foreign_item.pk}")
    assert response.status_code == 404
    assert not ReferralClick.objects.exists()


@pytest.mark.parametrize("token", ["x", "A" * 32, "%3Cscript%3E", "%00", "A" * 500, "..%5C..%5Cadmin"])
def test_a_tampered_link_shows_a_clear_not_found_page(world, lookbook, token):
    response = Client().get(f"/c/lookbook/{token}")
    assert response.status_code == 404
    assert "could not find this lookbook" in response.content.decode()


def test_a_link_with_one_character_changed_is_not_found(world, lookbook):
    token = lookbook.token
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = Client().get(f"/c/lookbook/{tampered}")
    assert response.status_code == 404
    lookbook.refresh_from_db()
    assert lookbook.open_count == 0


def test_a_revoked_lookbook_says_so_and_counts_nothing(world, lookbook):
    services.revoke_lookbook(actor_for(world.ana.user), lookbook)
    client = Client()
    response = client.get(path_of(lookbook))
    assert response.status_code == 410
    assert "no longer available" in response.content.decode()
    item = lookbook.items.first()
    assert client.get(f"{path_of(lookbook)}/p/{item.pk}").status_code == 410
    lookbook.refresh_from_db()
    assert (lookbook.open_count, lookbook.click_count) == (0, 0)
    assert not ReferralClick.objects.exists()


def test_an_expired_lookbook_says_so(world, lookbook):
    Lookbook.objects.filter(pk=lookbook.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client().get(path_of(lookbook))
    assert response.status_code == 410
    assert "has expired" in response.content.decode()


def test_a_draft_is_not_shown(world, make_lookbook):
    draft = make_lookbook(world.ana, world.anas_customer, publish=False)
    assert Client().get(path_of(draft)).status_code == 404


def test_a_link_cut_short_is_not_found(world, lookbook):
    assert Client().get("/c/lookbook/").status_code == 404


def test_the_page_only_answers_reads(world, lookbook):
    assert Client().post(path_of(lookbook)).status_code == 405


def test_in_team_mode_the_click_credits_the_store_with_the_author_as_influencer(world, make_lookbook, settings):
    lookbook = make_lookbook(world.tina, world.toms_customer)
    item = lookbook.items.first()
    customer = Client()
    customer.get(f"{path_of(lookbook)}/p/{item.pk}")
    order, _ = record_order(actor_for(world.admin), {
        "external_id": "LB-2", "customer_id": world.toms_customer.pk,
        "lines": [{"sku": item.product.sku, "quantity": 1, "unit_price": Decimal("10.00")}],
        "visitor_id": customer.cookies["shopfloor_visitor"].value,
    })
    assert (order.attributed_associate, order.attributed_store, order.influencer) == (None, world.south, world.tina)
    assert order.attribution_rule == "referral"
