"""GET /r/<referral_code>: records the click, keeps the referral, redirects only within the site."""

import pytest

from shopfloor.attribution.models import AttributionRule, ReferralClick
from shopfloor.attribution.referrals import REFERRAL_COOKIE, VISITOR_COOKIE
from shopfloor.orders.models import Order


def test_a_click_is_recorded_with_a_new_visitor_id_and_leads_to_the_page(client, agent):
    response = client.get(f"/r/{agent.referral_code}", {"next": "/shop/products/LGT-1/?colour=red"})
    assert response.status_code == 302
    assert response["Location"] == "/shop/products/LGT-1/?colour=red"
    visitor = response.cookies[VISITOR_COOKIE].value
    click = ReferralClick.objects.get()
    assert (click.associate, click.visitor_id, click.customer, click.next_path) == (
        agent, visitor, None, "/shop/products/LGT-1/?colour=red",
    )
    referral = response.cookies[REFERRAL_COOKIE]
    assert referral["max-age"] == 30 * 24 * 3600 and referral["httponly"]
    assert agent.referral_code in referral.value  # signed, not encrypted
    # The same visitor again keeps their id.
    client.get(f"/r/{agent.referral_code}")
    assert list(ReferralClick.objects.values_list("visitor_id", flat=True)) == [visitor, visitor]


@pytest.mark.parametrize("next_url", [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
    "http://testserver/shop/", "shop/", "/\t/evil.example", " //evil.example", "/shop/\r\nSet-Cookie:x=1", "",
    "https:/evil.example", "///evil.example",
])
def test_anything_but_a_path_of_this_site_leads_to_the_shop(client, agent, next_url):
    response = client.get(f"/r/{agent.referral_code}", {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/shop/"
    assert ReferralClick.objects.count() == 1


def test_an_unknown_or_retired_code_leads_to_the_shop_and_records_nothing(client, agent):
    response = client.get("/r/nobody", {"next": "/shop/bag/"})
    assert (response.status_code, response["Location"]) == (302, "/shop/")
    agent.active = False
    agent.save()
    assert client.get(f"/r/{agent.referral_code}")["Location"] == "/shop/"
    assert ReferralClick.objects.count() == 0
    assert REFERRAL_COOKIE not in client.cookies


def test_a_link_preview_head_request_records_nothing(client, agent):
    assert client.head(f"/r/{agent.referral_code}").status_code == 302
    assert ReferralClick.objects.count() == 0


def test_a_signed_in_customers_click_names_them(client, agent, shopper):
    client.force_login(shopper.user)
    client.get(f"/r/{agent.referral_code}")
    assert ReferralClick.objects.get().customer == shopper


def test_checkout_after_a_referral_click_credits_the_links_associate(client, products, shopper, agent, rep):
    # The visitor follows the link before signing in; the click is theirs by visitor id.
    client.get(f"/r/{agent.referral_code}", {"next": "/shop/"})
    visitor = client.cookies[VISITOR_COOKIE].value
    client.force_login(shopper.user)
    client.post("/shop/bag/add/", {"sku": "TAB-1"})
    client.post("/shop/checkout/")
    order = Order.objects.get()
    assert (order.referral_code, order.visitor_id) == (agent.referral_code, visitor)
    assert (order.attribution_rule, order.attributed_associate) == (AttributionRule.REFERRAL, agent)
    assert order.attribution_evidence["referral_click_id"] == ReferralClick.objects.get().pk


def test_a_tampered_referral_cookie_is_ignored_at_checkout(client, products, shopper, agent, rep):
    client.cookies[REFERRAL_COOKIE] = agent.referral_code  # unsigned
    client.force_login(shopper.user)
    client.post("/shop/bag/add/", {"sku": "TAB-1"})
    client.post("/shop/checkout/")
    order = Order.objects.get()
    assert order.referral_code == ""
    assert (order.attribution_rule, order.attributed_associate) == (AttributionRule.PRIMARY_ASSOCIATE, rep)
