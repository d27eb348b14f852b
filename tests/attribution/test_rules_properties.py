"""Whatever evidence an order has, the first applicable rule in DESIGN.md §4 order decides, and says so.

The expected answer is computed here from the evidence alone (an oracle independent of the rules'
queries), for random combinations of on-behalf placement, coupons, referral clicks and interactions
at random times, primary associates and home stores, in both selling modes.
"""

import os
from datetime import timedelta

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopfloor.attribution.models import AttributionRule
from tests.attribution.conftest import NOW, click, coupon_of, interaction, place

EXAMPLES = int(os.environ.get("SHOPFLOOR_PROPERTY_EXAMPLES", "60"))
PEOPLE = ["ana", "bruno", "nora", "tom", "tina"]
VISITOR = "visitor-0123456789abcdef"
STRANGER = "visitor-ffffffffffffffff"
# Orders are placed three days ago, so events "after the order" are still in the past.
PLACED_AT = NOW - timedelta(days=3)
REFERRAL_WINDOW_HOURS = 30 * 24
INFLUENCE_WINDOW_HOURS = 14 * 24

person = st.sampled_from(PEOPLE)
# Who an event is about: the order's visitor, its customer, or someone else entirely.
about = st.sampled_from(["visitor", "customer", "stranger"])
events = st.lists(st.tuples(person, st.integers(-48, 40 * 24), about), max_size=4)


def applies(about_whom, has_customer):
    return about_whom == "visitor" or (about_whom == "customer" and has_customer)


def latest(events, window_hours, has_customer):
    """The latest event in the window before the order; on a tie the one recorded last."""
    best = None
    for index, (who, hours_ago, about_whom) in enumerate(events):
        in_window = applies(about_whom, has_customer) and 0 <= hours_ago <= window_hours
        if in_window and (best is None or (hours_ago, -index) <= (best[1], -best[0])):
            best = (index, hours_ago, who)
    return best[2] if best else None


def expected(case, world):
    """(rule, the associate the evidence names or None, the store the credit may go to)."""
    customer = case["customer"]
    has_customer = customer is not None
    if case["on_behalf"]:
        return AttributionRule.ON_BEHALF, case["on_behalf"]
    if case["coupon"]:
        return AttributionRule.COUPON, case["coupon"]
    clicked = latest(case["clicks"], REFERRAL_WINDOW_HOURS, has_customer)
    if clicked:
        return AttributionRule.REFERRAL, clicked
    if case["referral_code"]:
        return AttributionRule.REFERRAL, case["referral_code"]
    contacted = latest(case["interactions"], INFLUENCE_WINDOW_HOURS, has_customer)
    if contacted:
        return AttributionRule.INTERACTION, contacted
    primary = {"anas_customer": "ana", "toms_customer": "tom"}.get(customer)
    if primary:
        return AttributionRule.PRIMARY_ASSOCIATE, primary
    if has_customer:
        return AttributionRule.HOME_STORE, None
    return AttributionRule.NONE, None


cases = st.fixed_dictionaries({
    "customer": st.sampled_from(["anas_customer", "toms_customer", "unassigned_south", None]),
    "on_behalf": st.none() | person,
    "coupon": st.none() | person,
    "referral_code": st.none() | person,
    "clicks": events,
    "interactions": events,
})


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=cases)
def test_the_first_applicable_rule_in_design_order_credits_the_sale_and_the_evidence_names_it(world, case):
    with transaction.atomic():
        customer = getattr(world, case["customer"]) if case["customer"] else None
        for who, hours_ago, about_whom in case["clicks"]:
            click(getattr(world, who), 0, at=PLACED_AT - timedelta(hours=hours_ago),
                  visitor_id={"visitor": VISITOR, "stranger": STRANGER}.get(about_whom, ""),
                  customer=customer if about_whom == "customer" else None)
        for who, hours_ago, about_whom in case["interactions"]:
            interaction(getattr(world, who), 0, at=PLACED_AT - timedelta(hours=hours_ago),
                        visitor_id=VISITOR if about_whom == "visitor" else STRANGER,
                        customer=customer if about_whom == "customer" else None)
        data = {"visitor_id": VISITOR}
        if case["on_behalf"]:
            data["placed_by_associate_id"] = getattr(world, case["on_behalf"]).pk
        if case["coupon"]:
            data["coupon_code"] = coupon_of(getattr(world, case["coupon"]), "PROP-" + case["coupon"].upper()).code
        if case["referral_code"]:
            data["referral_code"] = getattr(world, case["referral_code"]).referral_code
        order = place(world, "O-PROP", customer, store=None if customer else world.north, placed_at=PLACED_AT,
                      **data)

        rule, name = expected(case, world)
        assert order.attribution_rule == rule
        evidence = order.attribution_evidence
        assert evidence["summary"]
        if name is None:
            assert order.influencer is None and order.attributed_associate is None
            assert order.attributed_store == (customer.store if customer else None)
        else:
            associate = getattr(world, name)
            assert associate.name in evidence["summary"]
            if rule != AttributionRule.PRIMARY_ASSOCIATE:
                assert evidence["associate_id"] == associate.pk
            if associate.store.is_team_mode:
                assert (order.attributed_associate, order.attributed_store, order.influencer) == (
                    None, associate.store, associate,
                )
            else:
                assert (order.attributed_associate, order.attributed_store, order.influencer) == (
                    associate, associate.store, None,
                )
        transaction.set_rollback(True)
