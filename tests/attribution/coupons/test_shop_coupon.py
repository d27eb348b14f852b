"""The demo shop's bag takes a coupon code; checkout records the order with the code and the discount."""

from decimal import Decimal

from shopfloor.attribution.models import AttributionRule, Coupon, CouponKind
from shopfloor.orders.models import Order


def test_a_coupon_in_the_bag_shows_its_discount_and_checkout_credits_its_owner(client, products, shopper, agent, rep):
    coupon = Coupon.objects.create(code="RUI10", associate=agent, kind=CouponKind.PERCENT, value=Decimal("10.00"))
    client.force_login(shopper.user)
    client.post("/shop/bag/add/", {"sku": "LGT-1", "quantity": "2"})
    response = client.post("/shop/bag/coupon/", {"code": " rui10 "}, follow=True)
    html = response.content.decode()
    assert "Coupon RUI10 applied: 10% off." in html
    assert "−€24.50" in html and "€220.50" in html  # 245.00 − 24.50, free delivery
    client.post("/shop/checkout/")
    order = Order.objects.get()
    assert (order.coupon_code, order.subtotal, order.discount, order.total) == (
        "RUI10", Decimal("245.00"), Decimal("24.50"), Decimal("220.50"),
    )
    assert (order.attribution_rule, order.attributed_associate) == (AttributionRule.COUPON, agent)
    coupon.refresh_from_db()
    assert coupon.uses == 1
    assert "shop_coupon" not in client.session


def test_an_unusable_code_is_refused_in_the_bag_and_a_used_up_coupon_stops_the_checkout(
        client, products, shopper, agent):
    coupon = Coupon.objects.create(code="LAST", associate=agent, kind=CouponKind.FIXED, value=Decimal("5.00"),
                                   max_uses=1)
    client.force_login(shopper.user)
    client.post("/shop/bag/add/", {"sku": "TAB-1"})
    html = client.post("/shop/bag/coupon/", {"code": "NOPE"}, follow=True).content.decode()
    assert "We do not know this coupon code." in html
    assert "shop_coupon" not in client.session
    client.post("/shop/bag/coupon/", {"code": "last"})
    assert client.session["shop_coupon"] == "LAST"
    # Someone else used the last use meanwhile: the shopper is told, nothing is placed.
    Coupon.objects.filter(pk=coupon.pk).update(uses=1)
    response = client.post("/shop/checkout/", follow=True)
    assert "Coupon LAST can no longer be used" in response.content.decode()
    assert Order.objects.count() == 0
    assert "shop_coupon" not in client.session
    client.post("/shop/checkout/")
    assert Order.objects.get().coupon_code == ""


def test_the_coupon_can_be_removed_from_the_bag(client, products, agent):
    Coupon.objects.create(code="RUI10", associate=agent, kind=CouponKind.PERCENT, value=Decimal("10.00"))
    client.post("/shop/bag/add/", {"sku": "TAB-1"})
    client.post("/shop/bag/coupon/", {"code": "RUI10"})
    assert "−€1.80" in client.get("/shop/bag/").content.decode()
    client.post("/shop/bag/coupon/", {"code": "", "remove": "1"})
    assert "shop_coupon" not in client.session
    assert "−€" not in client.get("/shop/bag/").content.decode()
