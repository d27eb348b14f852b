"""The shopper's account page: "Your sales representatives" (assignment and rep codes) and recent orders."""

import re
from decimal import Decimal

import pytest

from shopfloor.access import Actor
from shopfloor.accounts.models import RepCode
from shopfloor.catalog.services import upsert_product
from shopfloor.customers.models import Agency, AgencyRep, Business, CustomerRepCode
from shopfloor.orders.services import record_order
from tests.factories import make_associate, make_customer, make_store, make_user


@pytest.fixture
def shopper(shop_store, rep):
    """Ana is Carolina's primary associate, Tiago also serves her, and the hotel group's agency
    maps her rep code HLG-PT to Sofia in another store. HLG-MAD is mapped by nobody."""
    tiago = make_associate(shop_store, "Tiago Moreira", "tiago@example.com", phone="+351912480103")
    porto = make_store("porto", "Porto Baixa", country="PT")
    sofia = make_associate(porto, "Sofia Lopes", "sofia@example.com", phone="+351962260202")
    business = Business.objects.create(name="Hotel Lusitânia Group")
    agency = Agency.objects.create(business=business, name="Lusitânia Contract Sales")
    AgencyRep.objects.create(agency=agency, code="HLG-PT", associate=sofia)
    user = make_user("carolina@example.com")
    customer = make_customer(shop_store, "Carolina", "Mendes", primary=rep, others=[tiago], user=user,
                             business=business)
    for code in ("HLG-PT", "HLG-MAD"):
        CustomerRepCode.objects.create(customer=customer, code=code)
    return customer


def rep_section(html: str) -> str:
    start = html.index('aria-labelledby="reps-title"')
    return html[start:html.index("</section>", start)]


def test_the_account_page_lists_the_reps_with_call_and_email_links(client, shopper):
    client.force_login(shopper.user)
    section = rep_section(client.get("/shop/account/").content.decode())
    names = re.findall(r'<h3 class="rep-name">([^<]+)</h3>', section)
    assert names == ["Ana Ribeiro", "Tiago Moreira", "Sofia Lopes"]
    assert re.findall(r'href="(tel:[^"]+)"', section) == [
        "tel:+351912480102", "tel:+351912480103", "tel:+351962260202"]
    assert re.findall(r'href="(mailto:[^"]+)"', section) == [
        "mailto:ana.ribeiro@example.com", "mailto:tiago@example.com", "mailto:sofia@example.com"]
    assert "+351 912 480 102" in section
    assert "Porto Baixa" in section
    assert f'src="/avatars/{shopper.assignments.get(is_primary=True).associate_id}.svg"' in section


def test_a_rep_code_mapped_by_a_global_rep_code_counts_once(client, shopper, rep):
    RepCode.objects.create(code="LX-101", associate=rep)
    CustomerRepCode.objects.create(customer=shopper, code="LX-101")
    client.force_login(shopper.user)
    section = rep_section(client.get("/shop/account/").content.decode())
    assert section.count("tel:+351912480102") == 1


def test_an_inactive_rep_is_not_shown(client, shopper):
    sofia = shopper.business.agencies.get().reps.get().associate
    sofia.active = False
    sofia.save()
    client.force_login(shopper.user)
    section = rep_section(client.get("/shop/account/").content.decode())
    assert "Sofia Lopes" not in section


def test_a_rep_without_a_phone_gets_no_call_link(client, shop_store):
    nophone = make_associate(shop_store, "Inês Carvalho", "ines@example.com")
    customer = make_customer(shop_store, "Joana", "Silva", primary=nophone,
                             user=make_user("joana@example.com"))
    client.force_login(customer.user)
    section = rep_section(client.get("/shop/account/").content.decode())
    assert "tel:" not in section
    assert 'href="mailto:ines@example.com"' in section


def test_a_customer_without_reps_is_told_who_can_help_instead(client, shop_store):
    customer = make_customer(shop_store, "Joana", "Silva", user=make_user("joana@example.com"))
    client.force_login(customer.user)
    section = rep_section(client.get("/shop/account/").content.decode())
    assert "No sales representative is assigned" in section


def test_the_account_page_lists_only_the_shoppers_own_orders(client, shopper, shop_store):
    upsert_product(None, {"sku": "LGT-1", "name": "Alfama table lamp", "price": Decimal("122.50")})
    someone_else = make_customer(shop_store, "Other", "Person")
    for external_id, customer in (("MINE-1", shopper), ("THEIRS-1", someone_else)):
        record_order(Actor(None), {
            "external_id": external_id, "customer_id": customer.pk,
            "lines": [{"sku": "LGT-1", "quantity": 2, "unit_price": Decimal("122.50")}],
        })
    client.force_login(shopper.user)
    html = client.get("/shop/account/").content.decode()
    assert "MINE-1" in html and "€245.00" in html
    assert "THEIRS-1" not in html


def test_the_account_page_takes_a_fixed_number_of_queries(client, shopper, django_assert_max_num_queries):
    client.force_login(shopper.user)
    # 16: one of them reads the shopper's lists ("Your lists", lists/account_lists.html), one their
    # associates for the online connector ("Talk to us now", live/account_connector.html).
    with django_assert_max_num_queries(16):
        assert client.get("/shop/account/").status_code == 200
