"""Coupons in the console (attribution.coupons): associates list, create within the retailer's bounds
and deactivate their own; managers their store's; admins everyone's. Hidden coupons answer 404."""

import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shopfloor.access import actor_for
from shopfloor.attribution.coupons.services import create_coupon
from shopfloor.attribution.models import Coupon, CouponBounds


@pytest.fixture
def coupons(world):
    """Ana's ANA10 (10%), Bruno's BRUNO5 (5.00 off), Tom's TOM15 (15%)."""
    admin = actor_for(world.admin)
    for associate, code, kind, value in ((world.ana, "ANA10", "percent", "10"),
                                         (world.bruno, "BRUNO5", "fixed", "5"),
                                         (world.tom, "TOM15", "percent", "15")):
        create_coupon(admin, {"associate_id": associate.pk, "code": code, "kind": kind, "value": Decimal(value)})
    return world


def codes(html: str) -> list[str]:
    return re.findall(r'data-coupon="([^"]+)"', html)


def new_coupon(**fields):
    return {"code": "", "kind": "percent", "value": "10", "max_uses": "", "expires_on": "", **fields}


@pytest.mark.parametrize("person, expected", [
    ("ana", ["ANA10"]),
    ("bruno", ["BRUNO5"]),
    ("nora", ["BRUNO5", "ANA10"]),
    ("tom", ["TOM15"]),
    ("sam", ["TOM15"]),
    ("admin", ["TOM15", "BRUNO5", "ANA10"]),
])
def test_each_person_lists_the_coupons_they_may_see(client_as, coupons, person, expected):
    user = coupons.admin if person == "admin" else getattr(coupons, person).user
    response = client_as(user).get("/console/coupons/")
    assert response.status_code == 200
    assert codes(response.content.decode()) == expected


def test_the_list_shows_value_uses_expiry_state_and_share_text(client_as, coupons):
    Coupon.objects.filter(code="ANA10").update(uses=3, max_uses=40, expires_at=datetime(2031, 5, 7, 12, tzinfo=UTC))
    html = client_as(coupons.ana.user).get("/console/coupons/").content.decode()
    row = html.split('data-coupon="ANA10"')[1].split("</tr>")[0]
    assert "10% off" in row
    assert "3 / 40" in row
    assert "7 May 2031" in row
    assert "badge--active" in row
    assert 'value="Use my code ANA10 for 10% off at North Store."' in row


def test_an_associate_creates_a_coupon_within_the_bounds(client_as, world):
    ana = client_as(world.ana.user)
    response = ana.post("/console/coupons/", new_coupon(code="spring-ana", max_uses="20"))
    coupon = Coupon.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/console/coupons/?created={coupon.pk}"
    assert (coupon.code, coupon.associate, coupon.kind, coupon.value, coupon.max_uses) == (
        "SPRING-ANA", world.ana, "percent", Decimal("10.00"), 20)
    html = ana.get(response["Location"]).content.decode()
    assert "Coupon SPRING-ANA created." in html
    assert 'value="Use my code SPRING-ANA for 10% off at North Store."' in html


def test_an_empty_code_is_made_up_and_the_bounds_fill_uses_and_expiry(client_as, world):
    client_as(world.ana.user).post("/console/coupons/", new_coupon(kind="fixed", value="12.50"))
    coupon = Coupon.objects.get()
    assert coupon.code.startswith("ANA-")
    assert (coupon.kind, coupon.value, coupon.max_uses) == ("fixed", Decimal("12.50"), 100)
    assert timedelta(days=89) < coupon.expires_at - timezone.now() <= timedelta(days=90)


def test_valid_through_is_the_end_of_that_day_in_the_stores_time_zone(client_as, world):
    day = (timezone.now() + timedelta(days=10)).date()
    client_as(world.ana.user).post("/console/coupons/", new_coupon(expires_on=day.isoformat()))
    assert world.north.timezone == "UTC"
    assert Coupon.objects.get().expires_at == datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


@pytest.mark.parametrize("fields, field, message", [
    ({"value": "25"}, "value", "At most 20.00% off: the retailer&#x27;s limit for coupons."),
    ({"kind": "fixed", "value": "60"}, "value", "At most 50.00 off"),
    ({"max_uses": "101"}, "max_uses", "At most 100 uses"),
    ({"code": "no"}, "code", "3 to 40 characters"),
    ({"value": "0"}, "value", "Ensure this value is greater than or equal to 0.01."),
])
def test_beyond_the_bounds_the_form_comes_back_with_the_field_named(client_as, world, fields, field, message):
    response = client_as(world.ana.user).post("/console/coupons/", new_coupon(**fields))
    html = response.content.decode()
    assert response.status_code == 422
    assert message in html
    # The error sits under its field.
    assert re.search(rf'id="id_{field}"[^>]*>\s*<p class="field__error">[^<]*', html)
    assert Coupon.objects.count() == 0


def test_an_expiry_beyond_the_bounds_names_the_field(client_as, world):
    CouponBounds.objects.create(pk=1, max_days_to_expiry=7)
    day = (timezone.now() + timedelta(days=30)).date()
    response = client_as(world.ana.user).post("/console/coupons/", new_coupon(expires_on=day.isoformat()))
    assert response.status_code == 422
    assert "At most 7 days from now" in response.content.decode()
    assert Coupon.objects.count() == 0


def test_the_page_shows_the_bounds(client_as, world):
    CouponBounds.objects.create(pk=1, max_percent=Decimal("12.50"), max_amount=Decimal("30"), max_uses=40,
                                max_days_to_expiry=60)
    html = client_as(world.ana.user).get("/console/coupons/").content.decode()
    bounds = html.split("data-bounds")[1]
    for text in ("at most 12.5%", "at most 30.00 EUR", "at most 40", "at most 60 days"):
        assert text in bounds


def test_a_taken_code_is_a_conflict(client_as, coupons):
    response = client_as(coupons.bruno.user).post("/console/coupons/", new_coupon(code="ana10"))
    assert response.status_code == 409
    assert "The code ANA10 is taken." in response.content.decode()
    assert Coupon.objects.count() == 3


def test_an_associate_cannot_create_a_coupon_for_a_colleague(client_as, world):
    response = client_as(world.ana.user).post("/console/coupons/", new_coupon(associate=world.bruno.pk))
    assert response.status_code == 302
    assert Coupon.objects.get().associate == world.ana  # no owner field: always themselves


def test_a_manager_creates_one_for_their_stores_associate_but_not_another_stores(client_as, world):
    nora = client_as(world.nora.user)
    assert nora.post("/console/coupons/", new_coupon(associate=world.bruno.pk)).status_code == 302
    assert Coupon.objects.get().associate == world.bruno
    response = nora.post("/console/coupons/", new_coupon(associate=world.tom.pk))
    assert response.status_code == 422
    assert "Choose one of the listed associates." in response.content.decode()
    assert Coupon.objects.count() == 1


def test_an_admin_is_not_bound_but_must_name_the_owner(client_as, world):
    admin = client_as(world.admin)
    response = admin.post("/console/coupons/", new_coupon(value="50"))
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert admin.post("/console/coupons/", new_coupon(value="50", associate=world.tom.pk)).status_code == 302
    assert Coupon.objects.get().value == Decimal("50.00")


def test_an_associate_deactivates_their_coupon(client_as, coupons):
    ana = client_as(coupons.ana.user)
    coupon = Coupon.objects.get(code="ANA10")
    response = ana.post(f"/console/coupons/{coupon.pk}/deactivate/", follow=True)
    assert response.status_code == 200
    assert "Coupon ANA10 deactivated" in response.content.decode()
    coupon.refresh_from_db()
    assert coupon.active is False
    row = response.content.decode().split('data-coupon="ANA10"')[1].split("</tr>")[0]
    assert "Inactive" in row and "Deactivate" not in row


@pytest.mark.parametrize("person, code", [("ana", "BRUNO5"), ("bruno", "ANA10"), ("nora", "TOM15"),
                                          ("tom", "ANA10"), ("sam", "BRUNO5")])
def test_nobody_sees_or_deactivates_a_coupon_they_may_not_see(client_as, coupons, person, code):
    coupon = Coupon.objects.get(code=code)
    response = client_as(getattr(coupons, person).user).post(f"/console/coupons/{coupon.pk}/deactivate/")
    assert response.status_code == 404
    coupon.refresh_from_db()
    assert coupon.active is True


def test_a_manager_deactivates_their_stores_coupon(client_as, coupons):
    coupon = Coupon.objects.get(code="BRUNO5")
    assert client_as(coupons.nora.user).post(f"/console/coupons/{coupon.pk}/deactivate/").status_code == 302
    coupon.refresh_from_db()
    assert coupon.active is False


def test_deactivating_needs_post_and_csrf(client_as, coupons):
    coupon = Coupon.objects.get(code="ANA10")
    assert client_as(coupons.ana.user).get(f"/console/coupons/{coupon.pk}/deactivate/").status_code == 405
    csrf = client_as(coupons.ana.user, enforce_csrf_checks=True)
    assert csrf.post(f"/console/coupons/{coupon.pk}/deactivate/").status_code == 403
    assert csrf.post("/console/coupons/", new_coupon()).status_code == 403
    coupon.refresh_from_db()
    assert coupon.active is True and Coupon.objects.count() == 3


def test_the_filter_shows_active_or_inactive_coupons(client_as, coupons):
    Coupon.objects.filter(code="BRUNO5").update(active=False)
    nora = client_as(coupons.nora.user)
    assert codes(nora.get("/console/coupons/?show=active").content.decode()) == ["ANA10"]
    assert codes(nora.get("/console/coupons/?show=inactive").content.decode()) == ["BRUNO5"]


def test_the_page_is_in_everyones_navigation_and_closed_to_others(client_as, world):
    for user in (world.ana.user, world.nora.user, world.admin):
        assert 'href="/console/coupons/"' in client_as(user).get("/console/dashboard/" if user != world.admin
                                                                else "/console/customers/").content.decode()
    assert client_as(world.shopper.user).get("/console/coupons/").status_code == 403
    assert client_as(None).get("/console/coupons/").status_code == 302
