"""Who gets the credit for an order (DESIGN.md §4): the first rule that matches, decided once.

`RULES` lists one function per rule, in the design's order; each looks at the
order (it need not be saved yet) and answers the associate or store it credits with
its evidence (always a human `summary` sentence), or None to let the next rule try.
Rules 3 to 5 read what they look at through `Evidence`, one query each, only when the rules
before them did not match.

Where the design is silent:
- Only active associates are credited; a rule whose associate has left gives way to the next.
- Rule 2 credits the coupon's owner whenever the order carries their code, even if the
  coupon was used up, expired or deactivated when the order arrived: the storefront
  granted the discount, so the sale came through the code (the evidence says so).
- Rule 3 takes recorded clicks by the order's visitor or customer, made at most
  `attribution_window_days` before the order was placed; the latest wins. An order that
  carries a `referral_code` without a matching recorded click (an ERP, another
  storefront) credits that code's associate: the storefront keeps the code only for the
  window (the demo shop's signed cookie expires with it).
- Rule 4 takes interactions with the order's customer or visitor at most
  `influence_window_days` before the order was placed; the latest wins.
- A window is inclusive: an event exactly N days before the order still counts; events
  after the order was placed never count.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from django.db.models import Q

from shopfloor.accounts.models import Associate, SellingMode, Store
from shopfloor.attribution.coupons.services import coupon_by_code
from shopfloor.attribution.models import AttributionRule, Interaction, InteractionKind, ReferralClick
from shopfloor.attribution.services import attribution_settings
from shopfloor.customers.models import CustomerAssignment


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


def _days_before(order, moment) -> str:
    days = (order.placed_at - moment).days
    if days == 0:
        return "the same day as the order"
    return f"{days} day{'s' if days != 1 else ''} before the order"


def _who(order, sentence_start: bool = False) -> str:
    if order.customer_id:
        return str(order.customer)
    return "This visitor" if sentence_start else "this visitor"


# How each interaction reads in an evidence sentence.
INTERACTION_PHRASES = {
    InteractionKind.CHAT: "a chat with {who}",
    InteractionKind.CALL: "a call with {who}",
    InteractionKind.LIST_NOTIFY: "a list notification to {who}",
    InteractionKind.LOOKBOOK_OPENED: "{who} opening their lookbook",
}


class Evidence:
    """What rules 3 to 5 look at, each read the first time its rule asks (and only if it asks).

    The latest referral click within the attribution window and the latest interaction within the
    influence window, both by the order's visitor or customer and by active associates, and the
    customer's primary assignment to an active associate.
    """

    def __init__(self, order, windows=None):
        self.order = order
        self._windows = windows

    def windows(self):
        """The attribution and influence windows (`AttributionSettings`, or the commissions' snapshot of them):
        read at most once per order, and only if a rule that needs them runs."""
        if self._windows is None:
            self._windows = attribution_settings()
        return self._windows

    @cached_property
    def click(self) -> ReferralClick | None:
        return self._latest(ReferralClick, "clicked_at", self.windows().attribution_window_days)

    @cached_property
    def interaction(self) -> Interaction | None:
        return self._latest(Interaction, "occurred_at", self.windows().influence_window_days)

    @cached_property
    def primary_assignment(self) -> CustomerAssignment | None:
        if not self.order.customer_id:
            return None
        return (CustomerAssignment.objects.select_related("associate__store")
                .filter(customer_id=self.order.customer_id, is_primary=True, associate__active=True).first())

    def _latest(self, model, when: str, window_days: int):
        """The latest `model` row of the order's visitor or customer, from `window_days` before the order
        until it was placed (both ends included), by an active associate."""
        order = self.order
        who = Q()
        if order.visitor_id:
            who |= Q(visitor_id=order.visitor_id)
        if order.customer_id:
            who |= Q(customer_id=order.customer_id)
        if not who:
            return None
        since = order.placed_at - timedelta(days=window_days)
        return (model.objects.select_related("associate__store")
                .filter(who, associate__active=True, **{f"{when}__lte": order.placed_at, f"{when}__gte": since})
                .order_by(f"-{when}", "-pk").first())


def by_on_behalf(order, evidence: Evidence) -> Attribution | None:
    """Rule 1: an associate placed the order for the customer (shop-as-customer, pending payment)."""
    associate = order.placed_by_associate
    if associate is None or not associate.active:
        return None
    return credit_associate(
        AttributionRule.ON_BEHALF, associate,
        {"placed_by_associate_id": associate.pk, "associate_id": associate.pk,
         "summary": f"{associate.name} placed this order on {_who(order)}'s behalf."},
    )


def by_coupon(order, evidence: Evidence) -> Attribution | None:
    """Rule 2: the order used a coupon that belongs to an associate."""
    coupon = coupon_by_code(order.coupon_code)
    if coupon is None or not coupon.associate.active:
        return None
    associate = coupon.associate
    evidence = {"coupon_id": coupon.pk, "coupon_code": coupon.code, "associate_id": associate.pk,
                "summary": f"The order used {associate.name}'s coupon {coupon.code}."}
    return credit_associate(AttributionRule.COUPON, associate, evidence)


def by_referral(order, evidence: Evidence) -> Attribution | None:
    """Rule 3: a referral link click within the attribution window; the last click wins."""
    click = evidence.click
    window = evidence.windows().attribution_window_days
    if click is not None:
        associate = click.associate
        return credit_associate(AttributionRule.REFERRAL, associate, {
            "referral_click_id": click.pk, "associate_id": associate.pk,
            "referral_code": associate.referral_code, "clicked_at": click.clicked_at.isoformat(),
            "window_days": window,
            "summary": f"{_who(order, sentence_start=True)} followed "
                       f"{associate.name}'s referral link {_days_before(order, click.clicked_at)} "
                       f"(the last click within the {window}-day attribution window).",
        })
    if not order.referral_code:
        return None
    associate = (
        Associate.objects.select_related("store").filter(referral_code=order.referral_code, active=True).first()
    )
    if associate is None:
        return None
    return credit_associate(AttributionRule.REFERRAL, associate, {
        "referral_code": associate.referral_code, "associate_id": associate.pk, "window_days": window,
        "summary": f"The order carried {associate.name}'s referral code {associate.referral_code} "
                   f"from the storefront (kept for the {window}-day attribution window).",
    })


def by_interaction(order, evidence: Evidence) -> Attribution | None:
    """Rule 4: the latest associate interaction with the customer or visitor within the influence window."""
    interaction = evidence.interaction
    if interaction is None:
        return None
    window = evidence.windows().influence_window_days
    associate = interaction.associate
    what = INTERACTION_PHRASES[interaction.kind].format(who=_who(order))
    return credit_associate(AttributionRule.INTERACTION, associate, {
        "interaction_id": interaction.pk, "kind": interaction.kind, "associate_id": associate.pk,
        "occurred_at": interaction.occurred_at.isoformat(), "window_days": window,
        "summary": f"{associate.name}'s latest contact was {what} "
                   f"{_days_before(order, interaction.occurred_at)} (within the {window}-day influence window).",
    })


def by_primary_associate(order, evidence: Evidence) -> Attribution | None:
    """Rule 5: the customer's primary assigned associate, if active."""
    customer = order.customer
    assignment = evidence.primary_assignment if customer is not None else None
    if assignment is None:
        return None
    return credit_associate(
        AttributionRule.PRIMARY_ASSOCIATE,
        assignment.associate,
        {"customer_id": customer.pk, "associate_id": assignment.associate.pk,
         "summary": f"{assignment.associate.name} is {customer}'s primary associate."},
    )


def by_home_store(order, evidence: Evidence) -> Attribution | None:
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


# Tried in this order (DESIGN.md §4); the first that answers wins. Each is called as
# rule(order, evidence): rules 3 to 5 read their evidence through `Evidence`.
RULES = [by_on_behalf, by_coupon, by_referral, by_interaction, by_primary_associate, by_home_store]


def attribute(order, windows=None) -> Attribution:
    """Who gets the credit for `order` (an `orders.Order`, saved or not).

    `windows`: the attribution windows the caller already read for this order (anything with
    `attribution_window_days` and `influence_window_days`); None reads them if a rule needs them.
    """
    evidence = Evidence(order, windows)
    for rule in RULES:
        attribution = rule(order, evidence)
        if attribution is not None:
            return attribution
    return Attribution(rule=AttributionRule.NONE, evidence={"summary": "No rule matched."})
