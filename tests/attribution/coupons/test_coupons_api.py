"""/coupons, /coupons/validate and /coupon-bounds through HTTP: bounds, visibility, validation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shopfloor.attribution.models import Coupon, CouponBounds, CouponKind
from shopfloor.attribution.services import record_interaction
from tests.api.conftest import API
from tests.conftest import PERSONAS, user_for


def post(api, path, body):
    return api.post(API + path, body, content_type="application/json")


def make_coupon(associate, code, **fields):
    fields = {"kind": CouponKind.PERCENT, "value": Decimal("10.00"), **fields}
    return Coupon.objects.create(code=code, associate=associate, **fields)


CREATE = {"owner": 201, "colleague": 201, "other_store": 201, "manager": 201, "other_manager": 201,
          "admin": 422, "customer": 403, "anonymous": 401}


@pytest.mark.parametrize("persona", PERSONAS)
def test_staff_create_their_own_coupons_and_others_are_refused(world, client_for, persona):
    response = post(client_for("associate", persona), "/coupons", {"kind": "percent", "value": "10"})
    assert response.status_code == CREATE[persona], response.content
    if response.status_code == 201:
        body = response.json()
        coupon = Coupon.objects.get()
        assert coupon.associate.user == user_for(world, "associate", persona)
        assert (body["kind"], body["value"], body["uses"], body["active"]) == ("percent", "10.00", 0, True)
        # Without a limit, an associate's coupon gets the bounds' maximum.
        assert body["max_uses"] == 100
        expires = coupon.expires_at - timezone.now()
        assert timedelta(days=89, hours=23) < expires <= timedelta(days=90)
    else:
        assert Coupon.objects.count() == 0


@pytest.mark.parametrize("body, loc", [
    ({"kind": "percent", "value": "20.01"}, ["body", "value"]),
    ({"kind": "fixed", "value": "50.01"}, ["body", "value"]),
    ({"kind": "percent", "value": "5", "max_uses": 101}, ["body", "max_uses"]),
    ({"kind": "percent", "value": "5", "expires_at": "EXPIRY+91"}, ["body", "expires_at"]),
    ({"kind": "percent", "value": "5", "expires_at": "EXPIRY-1"}, ["body", "expires_at"]),
    ({"kind": "percent", "value": "5", "code": "no spaces"}, ["body", "code"]),
    ({"kind": "percent", "value": "0"}, ["body", "value"]),
    ({"kind": "gift", "value": "5"}, ["body", "kind"]),
])
def test_coupons_beyond_the_admins_bounds_are_422_naming_the_field(world, api_as, body, loc):
    if "expires_at" in body:
        days = int(body["expires_at"][6:])
        body = {**body, "expires_at": (timezone.now() + timedelta(days=days)).isoformat()}
    response = post(api_as(world.ana.user), "/coupons", body)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == loc
    assert Coupon.objects.count() == 0


def test_coupons_at_the_bounds_are_accepted_and_admins_are_not_bound(world, api_as, admin_api):
    at_bounds = {"kind": "percent", "value": "20.00", "max_uses": 100,
                 "expires_at": (timezone.now() + timedelta(days=89)).isoformat(), "code": "ana-twenty"}
    response = post(api_as(world.ana.user), "/coupons", at_bounds)
    assert response.status_code == 201 and response.json()["code"] == "ANA-TWENTY"
    big = post(admin_api, "/coupons", {"kind": "percent", "value": "60", "associate_id": world.ana.pk})
    assert big.status_code == 201
    assert (big.json()["max_uses"], big.json()["expires_at"]) == (None, None)


def test_admins_change_the_bounds_and_associates_follow_them(world, api_as, admin_api):
    assert api_as(world.ana.user).put(f"{API}/coupon-bounds", {"max_percent": "50"},
                                      content_type="application/json").status_code == 403
    response = admin_api.put(f"{API}/coupon-bounds", {"max_percent": "30", "max_uses": 5},
                             content_type="application/json")
    assert response.json() == {"max_percent": "30.00", "max_amount": "50.00", "max_uses": 5,
                               "max_days_to_expiry": 90}
    assert post(api_as(world.ana.user), "/coupons", {"kind": "percent", "value": "30"}).status_code == 201
    too_many = post(api_as(world.ana.user), "/coupons", {"kind": "percent", "value": "5", "max_uses": 6})
    assert too_many.status_code == 422
    assert api_as(world.ana.user).get(f"{API}/coupon-bounds").json()["max_uses"] == 5
    bad = admin_api.put(f"{API}/coupon-bounds", {"max_percent": "101"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "max_percent"]
    assert CouponBounds.objects.get().max_percent == Decimal("30.00")


def test_a_code_is_unique_whatever_its_case(world, api_as):
    created = post(api_as(world.ana.user), "/coupons", {"kind": "percent", "value": "5", "code": "Spring"})
    assert created.status_code == 201
    response = post(api_as(world.bruno.user), "/coupons", {"kind": "percent", "value": "5", "code": "SPRING"})
    assert response.status_code == 409
    assert Coupon.objects.count() == 1


def test_managers_create_for_their_stores_associates_and_associates_only_for_themselves(world, api_as):
    body = {"kind": "fixed", "value": "15.00", "associate_id": world.bruno.pk}
    by_manager = post(api_as(world.nora.user), "/coupons", body)
    assert by_manager.status_code == 201 and by_manager.json()["associate_id"] == world.bruno.pk
    assert post(api_as(world.ana.user), "/coupons", body).status_code == 403
    other_store = post(api_as(world.sam.user), "/coupons", body)
    assert other_store.status_code == 422 and other_store.json()["detail"][0]["loc"] == ["body", "associate_id"]
    assert Coupon.objects.count() == 1


LISTED = {
    "ana": {"ANA1"}, "bruno": {"BRUNO1"}, "nora": {"ANA1", "BRUNO1"}, "tom": {"TOM1"}, "tina": set(),
    "sam": {"TOM1"}, "admin": {"ANA1", "BRUNO1", "TOM1"},
}


@pytest.mark.parametrize("who", sorted(LISTED))
def test_each_person_lists_the_coupons_their_role_allows(world, api_as, who):
    coupons = {c.code: c for c in (make_coupon(world.ana, "ANA1"), make_coupon(world.bruno, "BRUNO1"),
                                   make_coupon(world.tom, "TOM1"))}
    api = api_as(world.admin if who == "admin" else getattr(world, who).user)
    page = api.get(f"{API}/coupons").json()
    assert {item["code"] for item in page["items"]} == LISTED[who]
    assert page["count"] == len(LISTED[who])
    for code, coupon in coupons.items():
        assert api.get(f"{API}/coupons/{coupon.pk}").status_code == (200 if code in LISTED[who] else 404)


def test_the_owner_their_manager_or_an_admin_deactivate_a_coupon_and_others_get_404(world, api_as):
    coupon = make_coupon(world.ana, "ANA1")
    assert post(api_as(world.bruno.user), f"/coupons/{coupon.pk}/deactivate", {}).status_code == 404
    assert post(api_as(world.sam.user), f"/coupons/{coupon.pk}/deactivate", {}).status_code == 404
    coupon.refresh_from_db()
    assert coupon.active
    first = post(api_as(world.nora.user), f"/coupons/{coupon.pk}/deactivate", {})
    again = post(api_as(world.ana.user), f"/coupons/{coupon.pk}/deactivate", {})
    assert (first.status_code, first.json()["active"], again.status_code, again.json()["active"]) == (
        200, False, 200, False,
    )


def test_validation_answers_the_discount_or_why_not(world, api_as, admin_api):
    make_coupon(world.ana, "TEN")
    make_coupon(world.ana, "FIVER", kind=CouponKind.FIXED, value=Decimal("5.00"))
    make_coupon(world.ana, "OLD", expires_at=timezone.now() - timedelta(minutes=1))
    make_coupon(world.ana, "OFF", active=False)
    make_coupon(world.ana, "FULL", max_uses=2, uses=2)

    def check(code, **params):
        response = admin_api.get(f"{API}/coupons/validate", {"code": code, **params})
        assert response.status_code == 200
        return response.json()

    assert check("ten", subtotal="33.35") == {
        "code": "TEN", "valid": True, "reason": None, "message": "10% off.", "kind": "percent", "value": "10.00",
        "currency": "EUR", "discount": "3.34",
    }
    assert check("FIVER", subtotal="3.00")["discount"] == "3.00"
    assert check("FIVER", subtotal="30.00", currency="USD")["reason"] == "currency"
    assert check("TEN")["discount"] is None
    assert [check(code)["reason"] for code in ("NOPE", "OLD", "OFF", "FULL", "bad code!")] == [
        "unknown", "expired", "inactive", "used_up", "unknown",
    ]
    assert check("FULL")["valid"] is False and check("FULL")["discount"] is None
    assert api_as(world.shopper.user).get(f"{API}/coupons/validate", {"code": "TEN"}).status_code == 403
    bad = admin_api.get(f"{API}/coupons/validate", {"code": "TEN", "subtotal": "-1"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "subtotal"]


def test_listing_coupons_and_interactions_takes_the_same_queries_for_3_or_30(world, api_as,
                                                                             django_assert_num_queries):
    api = api_as(world.nora.user)

    def fill(n, start):
        for index in range(start, start + n):
            make_coupon(world.ana if index % 2 else world.bruno, f"C{index}")
            record_interaction(world.ana, "chat", customer=world.anas_customer, source_ref=f"r{index}")

    fill(3, 0)
    api.get(f"{API}/me")  # the token's first use of the day stamps it; not part of the list
    counts = {}
    for path in ("/coupons", "/interactions"):
        with CaptureQueriesContext(connection) as few:
            assert api.get(API + path).json()["count"] == 3
        counts[path] = len(few)
    fill(27, 3)
    for path in ("/coupons", "/interactions"):
        with django_assert_num_queries(counts[path]):
            assert api.get(API + path).json()["count"] == 30
