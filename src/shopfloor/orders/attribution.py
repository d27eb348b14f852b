"""Who gets the credit for an order (DESIGN.md §4): the first rule that matches, decided once.

Rules 1–4 (on-behalf orders, coupons, referral links, recent interactions)
plug in here as functions of the same shape; the foundation implements rules 5
and 6. A rule returns the associate or store it credits and its evidence.
"""

from dataclasses import dataclass, field

from shopfloor.accounts.models import Associate, SellingMode, Store
from shopfloor.orders.models import AttributionRule, Order


@dataclass
class Attribution:
    rule: str
    associate: Associate | None = None
    store: Store | None = None
    influencer: Associate | None = None
    evidence: dict = field(default_factory=dict)


def credit_associate(rule: str, associate: Associate, evidence: dict) -> Attribution:
    """Credit an associate, or their store in team mode (the associate stays as influencer)."""
    if associate.store.selling_mode == SellingMode.TEAM:
        return Attribution(
            rule=rule, store=associate.store, influencer=associate,
            evidence={**evidence, "team_mode": True, "influencer_id": associate.pk},
        )
    return Attribution(rule=rule, associate=associate, store=associate.store, evidence=evidence)


def by_primary_associate(order: Order) -> Attribution | None:
    customer = order.customer
    if customer is None:
        return None
    assignment = (
        customer.assignments.select_related("associate__store")
        .filter(is_primary=True, associate__active=True)
        .first()
    )
    if assignment is None:
        return None
    return credit_associate(
        AttributionRule.PRIMARY_ASSOCIATE,
        assignment.associate,
        {"customer_id": customer.pk, "associate_id": assignment.associate_id,
         "summary": f"{assignment.associate.name} is {customer}'s primary associate."},
    )


def by_home_store(order: Order) -> Attribution | None:
    customer = order.customer
    if customer is None or customer.store_id is None:
        return None
    return Attribution(
        rule=AttributionRule.HOME_STORE, store=customer.store,
        evidence={
            "customer_id": customer.pk, "store_id": customer.store_id,
            "summary": f"{customer.store.name} is {customer}'s home store; no active primary associate.",
        },
    )


# Tried in this order; the first that answers wins.
RULES = [by_primary_associate, by_home_store]


def attribute(order: Order) -> Attribution:
    for rule in RULES:
        attribution = rule(order)
        if attribution is not None:
            return attribution
    return Attribution(rule=AttributionRule.NONE, evidence={"summary": "No rule matched."})
