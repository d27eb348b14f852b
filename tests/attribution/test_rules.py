"""Attribution rules 1–6 of DESIGN.md §4: each rule, their precedence, the windows' edges, team mode."""

from datetime import timedelta

from shopfloor.access import Actor
from shopfloor.attribution.models import AttributionRule, CouponUse
from shopfloor.orders.services import record_order
from tests.attribution.conftest import NOW, click, coupon_of, interaction, place


def credited(order):
    return order.attribution_rule, order.attributed_associate, order.attributed_store, order.influencer


def test_an_order_placed_on_the_customers_behalf_credits_the_associate_who_placed_it(world, visitor):
    # Every other rule has evidence for someone else; rule 1 comes first.
    coupon_of(world.nora, "NORA10")
    click(world.bruno, 1, visitor_id=visitor)
    interaction(world.nora, 1, customer=world.anas_customer)
    order = place(world, "O-1", world.anas_customer, placed_by_associate_id=world.bruno.pk,
                  coupon_code="nora10", visitor_id=visitor)
    assert credited(order) == (AttributionRule.ON_BEHALF, world.bruno, world.north, None)
    assert order.attribution_evidence["placed_by_associate_id"] == world.bruno.pk
    assert order.attribution_evidence["summary"] == "Bruno Dias placed this order on Alice Almeida's behalf."


def test_an_associates_coupon_comes_before_referrals_interactions_and_the_primary_associate(world, visitor):
    coupon = coupon_of(world.bruno, "BRUNO10")
    click(world.nora, 1, visitor_id=visitor)
    interaction(world.nora, 1, customer=world.anas_customer)
    order = place(world, "O-1", world.anas_customer, coupon_code=" bruno10 ", visitor_id=visitor)
    assert credited(order) == (AttributionRule.COUPON, world.bruno, world.north, None)
    assert order.attribution_evidence["coupon_id"] == coupon.pk
    assert order.attribution_evidence["summary"] == "The order used Bruno Dias's coupon BRUNO10."


def test_a_referral_click_comes_before_interactions_and_the_primary_associate(world, visitor):
    click(world.bruno, 3, visitor_id=visitor)
    interaction(world.nora, 1, customer=world.anas_customer)
    order = place(world, "O-1", world.anas_customer, visitor_id=visitor)
    assert credited(order) == (AttributionRule.REFERRAL, world.bruno, world.north, None)
    assert order.attribution_evidence["window_days"] == 30
    assert order.attribution_evidence["summary"] == (
        "Alice Almeida followed Bruno Dias's referral link 3 days before the order "
        "(the last click within the 30-day attribution window)."
    )


def test_an_interaction_comes_before_the_primary_associate(world):
    interaction(world.bruno, 2, customer=world.anas_customer, kind="call")
    order = place(world, "O-1", world.anas_customer)
    assert credited(order) == (AttributionRule.INTERACTION, world.bruno, world.north, None)
    assert order.attribution_evidence["kind"] == "call"
    assert order.attribution_evidence["summary"] == (
        "Bruno Dias's latest contact was a call with Alice Almeida 2 days before the order "
        "(within the 14-day influence window)."
    )


def test_without_evidence_the_primary_associate_then_the_home_store_gets_the_credit(world):
    assert credited(place(world, "O-1", world.anas_customer))[:2] == (
        AttributionRule.PRIMARY_ASSOCIATE, world.ana,
    )
    assert credited(place(world, "O-2", world.unassigned_south)) == (
        AttributionRule.HOME_STORE, None, world.south, None,
    )
    assert credited(place(world, "O-3", store=world.north)) == (AttributionRule.NONE, None, None, None)


def test_a_click_29_days_before_the_order_counts_and_31_days_does_not(world, visitor):
    click(world.bruno, 29, visitor_id=visitor)
    assert place(world, "O-1", world.anas_customer, visitor_id=visitor).attribution_rule == AttributionRule.REFERRAL
    other = "visitor-fedcba9876543210"
    click(world.bruno, 31, visitor_id=other)
    order = place(world, "O-2", world.anas_customer, visitor_id=other)
    assert credited(order)[:2] == (AttributionRule.PRIMARY_ASSOCIATE, world.ana)


def test_an_interaction_13_days_before_the_order_counts_and_15_days_does_not(world):
    interaction(world.bruno, 13, customer=world.anas_customer)
    assert credited(place(world, "O-1", world.anas_customer))[:2] == (AttributionRule.INTERACTION, world.bruno)
    later = NOW + timedelta(days=2)  # the same interaction is now 15 days old
    assert credited(place(world, "O-2", world.anas_customer, placed_at=later))[:2] == (
        AttributionRule.PRIMARY_ASSOCIATE, world.ana,
    )


def test_the_last_click_wins_whoever_clicked_first(world, visitor):
    click(world.bruno, 10, visitor_id=visitor)
    last = click(world.nora, 4, customer=world.anas_customer)
    click(world.ana, 6, visitor_id=visitor)
    click(world.ana, -1, visitor_id=visitor)  # after the order: never counts
    order = place(world, "O-1", world.anas_customer, visitor_id=visitor)
    assert credited(order)[:2] == (AttributionRule.REFERRAL, world.nora)
    assert order.attribution_evidence["referral_click_id"] == last.pk


def test_the_latest_interaction_wins_and_a_visitors_interactions_count(world, visitor):
    interaction(world.bruno, 5, customer=world.anas_customer)
    interaction(world.nora, 2, visitor_id=visitor, kind="lookbook_opened")
    order = place(world, "O-1", world.anas_customer, visitor_id=visitor)
    assert credited(order)[:2] == (AttributionRule.INTERACTION, world.nora)


def test_a_referral_code_without_a_recorded_click_credits_the_codes_associate(world):
    order = place(world, "O-1", world.anas_customer, referral_code=world.bruno.referral_code)
    assert credited(order)[:2] == (AttributionRule.REFERRAL, world.bruno)
    assert order.attribution_evidence["referral_code"] == world.bruno.referral_code
    unknown = place(world, "O-2", world.anas_customer, referral_code="nobody")
    assert unknown.attribution_rule == AttributionRule.PRIMARY_ASSOCIATE


def test_a_team_mode_store_gets_the_credit_and_keeps_the_associate_as_influencer(world, visitor):
    coupon_of(world.tina, "TINA5")
    order = place(world, "O-1", world.toms_customer, coupon_code="TINA5")
    assert credited(order) == (AttributionRule.COUPON, None, world.south, world.tina)
    assert order.attribution_evidence["team_mode"] is True
    click(world.tom, 2, visitor_id=visitor)
    order = place(world, "O-2", world.unassigned_south, visitor_id=visitor)
    assert credited(order) == (AttributionRule.REFERRAL, None, world.south, world.tom)


def test_an_inactive_associates_evidence_gives_way_to_the_next_rule(world, visitor):
    world.bruno.active = False
    world.bruno.save()
    coupon_of(world.bruno, "BRUNO10")
    click(world.bruno, 1, visitor_id=visitor)
    interaction(world.nora, 1, customer=world.anas_customer)
    order = place(world, "O-1", world.anas_customer, coupon_code="BRUNO10", visitor_id=visitor,
                  placed_by_associate_id=world.bruno.pk)
    assert credited(order)[:2] == (AttributionRule.INTERACTION, world.nora)


def test_the_windows_are_the_admins_to_change(world, visitor, admin_api):
    response = admin_api.put("/api/v1/attribution-settings",
                             {"attribution_window_days": 45, "influence_window_days": 3},
                             content_type="application/json")
    assert response.json() == {"attribution_window_days": 45, "influence_window_days": 3}
    click(world.bruno, 40, visitor_id=visitor)
    assert credited(place(world, "O-1", world.anas_customer, visitor_id=visitor))[:2] == (
        AttributionRule.REFERRAL, world.bruno,
    )
    interaction(world.nora, 4, customer=world.brunos_customer)
    assert credited(place(world, "O-2", world.brunos_customer))[:2] == (
        AttributionRule.PRIMARY_ASSOCIATE, world.bruno,
    )


def test_a_coupon_is_counted_once_per_order_even_beyond_its_limit(world):
    coupon = coupon_of(world.bruno, "ONCE", max_uses=1)
    place(world, "O-1", world.anas_customer, coupon_code="once")
    place(world, "O-2", world.anas_customer, coupon_code="ONCE")
    # The same order again (a retry) counts nothing.
    record_order(Actor(world.admin), {"external_id": "O-2", "customer_id": world.anas_customer.pk,
                                      "lines": [{"sku": "A", "quantity": 1, "unit_price": 1}],
                                      "coupon_code": "ONCE"})
    coupon.refresh_from_db()
    assert coupon.uses == 2
    assert list(CouponUse.objects.order_by("pk").values_list("order__external_id", "beyond_limits")) == [
        ("O-1", False), ("O-2", True),
    ]
