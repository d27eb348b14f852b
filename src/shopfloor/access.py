"""Who may see what: the selling-mode matrix of DESIGN.md §3, in one place.

Views, API routes, consumers and selectors ask this module and never decide
visibility themselves. A record the actor may not see is reported as missing
(`NotVisible`, answered 404), so its existence is not leaked.

| question                       | associate mode           | team mode                   |
| customers an associate sees    | assigned to them         | every customer of the store |
| orders an associate sees       | their customers' orders and orders credited to them | the store's orders |

Managers see their whole store in both modes; admins see everything.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Exists, OuterRef, Q, QuerySet

from shopfloor.accounts.models import Associate, SellingMode, Store


class NotVisible(Exception):
    """The record does not exist or the actor may not see it (answered 404)."""


class NotAllowed(Exception):
    """The actor sees the record but their role may not do this (answered 403)."""


class Role:
    ADMIN = "admin"
    MANAGER = "manager"
    ASSOCIATE = "associate"
    CUSTOMER = "customer"
    NONE = "none"


@dataclass(frozen=True)
class Actor:
    """The person behind a request, with the facts every visibility rule needs."""

    user: object

    @cached_property
    def associate(self) -> Associate | None:
        if not self.user or not self.user.is_authenticated:
            return None
        try:
            associate = Associate.objects.select_related("store").get(user=self.user)
        except Associate.DoesNotExist:
            return None
        return associate if associate.active else None

    @cached_property
    def customer(self):
        from shopfloor.customers.models import Customer

        if not self.user or not self.user.is_authenticated:
            return None
        return Customer.objects.filter(user=self.user).first()

    @property
    def is_admin(self) -> bool:
        return bool(self.user and self.user.is_authenticated and self.user.is_active and self.user.is_staff)

    @property
    def role(self) -> str:
        if self.is_admin:
            return Role.ADMIN
        if self.associate:
            return Role.MANAGER if self.associate.is_manager else Role.ASSOCIATE
        if self.customer:
            return Role.CUSTOMER
        return Role.NONE

    @property
    def is_staff_member(self) -> bool:
        """Admins, managers and associates: the people who sell."""
        return self.role in (Role.ADMIN, Role.MANAGER, Role.ASSOCIATE)

    @property
    def store(self) -> Store | None:
        return self.associate.store if self.associate else None

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def sees_whole_store(self) -> bool:
        """Managers, and associates of a team-mode store, see every customer of their store."""
        return self.is_manager or bool(self.store and self.store.selling_mode == SellingMode.TEAM)


def actor_for(user) -> Actor:
    return Actor(user)


# Customers ---------------------------------------------------------------


def _assigned_to(associate: Associate) -> Q:
    from shopfloor.customers.models import CustomerAssignment

    return Q(
        Exists(CustomerAssignment.objects.filter(customer_id=OuterRef("pk"), associate_id=associate.pk))
    )


def customer_filter(actor: Actor) -> Q | None:
    """The condition on Customer rows the actor may see; None means every row."""
    if actor.is_admin:
        return None
    associate = actor.associate
    if associate is None:
        if actor.customer is not None:
            return Q(pk=actor.customer.pk)
        return Q(pk__in=[])
    if actor.sees_whole_store:
        # Their store's customers, and anyone assigned to them elsewhere.
        return Q(store_id=associate.store_id) | _assigned_to(associate)
    return _assigned_to(associate)


def visible_customers(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    from shopfloor.customers.models import Customer

    queryset = Customer.objects.all() if queryset is None else queryset
    condition = customer_filter(actor)
    return queryset if condition is None else queryset.filter(condition)


def get_customer_for(actor: Actor, customer_id, queryset: QuerySet | None = None):
    try:
        return visible_customers(actor, queryset).get(pk=customer_id)
    except (ValueError, TypeError):
        raise NotVisible
    except visible_customers(actor, queryset).model.DoesNotExist:
        raise NotVisible


def can_see_customer(actor: Actor, customer) -> bool:
    return visible_customers(actor).filter(pk=customer.pk).exists()


def can_manage_customer(actor: Actor, customer) -> bool:
    """Assign associates, approve, reject: admins, and managers of the customer's store."""
    if actor.is_admin:
        return True
    return actor.is_manager and actor.store is not None and customer.store_id == actor.store.pk


# Orders ------------------------------------------------------------------


def order_filter(actor: Actor) -> Q | None:
    if actor.is_admin:
        return None
    associate = actor.associate
    if associate is None:
        if actor.customer is not None:
            return Q(customer_id=actor.customer.pk)
        return Q(pk__in=[])
    # Orders credited to them or placed by them (on a customer's behalf) in every mode.
    theirs = Q(attributed_associate_id=associate.pk) | Q(placed_by_associate_id=associate.pk)
    if actor.sees_whole_store:
        return Q(store_id=associate.store_id) | theirs
    from shopfloor.customers.models import CustomerAssignment

    assigned = CustomerAssignment.objects.filter(
        customer_id=OuterRef("customer_id"), associate_id=associate.pk
    )
    return theirs | Q(Exists(assigned))


def visible_orders(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    from shopfloor.orders.models import Order

    queryset = Order.objects.all() if queryset is None else queryset
    condition = order_filter(actor)
    return queryset if condition is None else queryset.filter(condition)


def get_order_for(actor: Actor, order_id, queryset: QuerySet | None = None):
    try:
        return visible_orders(actor, queryset).get(pk=order_id)
    except (ValueError, TypeError):
        raise NotVisible
    except visible_orders(actor, queryset).model.DoesNotExist:
        raise NotVisible


# Organisation ------------------------------------------------------------


def visible_stores(actor: Actor) -> QuerySet:
    if actor.is_admin:
        return Store.objects.all()
    if actor.store is not None:
        return Store.objects.filter(pk=actor.store.pk)
    return Store.objects.none()


def visible_associates(actor: Actor) -> QuerySet:
    """Colleagues: admins see all associates, associates and managers those of their store."""
    if actor.is_admin:
        return Associate.objects.all()
    if actor.store is not None:
        return Associate.objects.filter(store_id=actor.store.pk)
    return Associate.objects.none()


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise NotAllowed("Only the retailer's admins may do this.")


def require_staff(actor: Actor) -> None:
    if not actor.is_staff_member:
        raise NotAllowed("Only the retailer's staff may do this.")


# Money: earnings, balances, payouts, statements ---------------------------------


def earner_filter(actor: Actor, prefix: str = "") -> Q | None:
    """The condition on Associate rows (or, with `prefix="associate__"`, on rows that belong to
    an associate) whose earnings, balance, payouts and statements the actor may see; None: every row.

    Money is more private than customers: an associate sees only their own, in team mode too;
    a manager sees their store's associates' (their own included); admins see everyone's.
    """
    if actor.is_admin:
        return None
    associate = actor.associate
    if associate is None:
        return Q(pk__in=[])
    field = prefix.removesuffix("__") or "pk"
    if actor.is_manager:
        return Q(**{f"{prefix}store_id": associate.store_id}) | Q(**{field: associate.pk})
    return Q(**{field: associate.pk})


def visible_earners(actor: Actor) -> QuerySet:
    condition = earner_filter(actor)
    associates = Associate.objects.select_related("store")
    return associates if condition is None else associates.filter(condition)


def get_earner_for(actor: Actor, associate_id) -> Associate:
    """An associate whose money the actor may see, or NotVisible (404), as for an unknown id."""
    try:
        return visible_earners(actor).get(pk=associate_id)
    except (ValueError, TypeError, Associate.DoesNotExist):
        raise NotVisible


def get_payee_for(actor: Actor, associate_id) -> Associate:
    """An associate whose payout details the actor may read and change: themselves; admins anyone.

    Bank and PayPal details are not for managers: NotVisible (404) for everyone else.
    """
    if actor.is_admin:
        associate = Associate.objects.filter(pk=associate_id).first()
    elif actor.associate is not None and actor.associate.pk == associate_id:
        associate = actor.associate
    else:
        associate = None
    if associate is None:
        raise NotVisible
    return associate


# Coupons and interactions (attribution evidence) --------------------------------


def coupon_filter(actor: Actor) -> Q | None:
    """Coupons: an associate sees their own (in team mode too), a manager their store's, admins all."""
    if actor.is_admin:
        return None
    associate = actor.associate
    if associate is None:
        return Q(pk__in=[])
    if actor.is_manager:
        return Q(associate__store_id=associate.store_id) | Q(associate_id=associate.pk)
    return Q(associate_id=associate.pk)


def visible_coupons(actor: Actor) -> QuerySet:
    from shopfloor.commissions.models import Coupon

    condition = coupon_filter(actor)
    coupons = Coupon.objects.select_related("associate__store")
    return coupons if condition is None else coupons.filter(condition)


def get_coupon_for(actor: Actor, coupon_id):
    try:
        return visible_coupons(actor).get(pk=coupon_id)
    except (ValueError, TypeError):
        raise NotVisible
    except visible_coupons(actor).model.DoesNotExist:
        raise NotVisible


def interaction_filter(actor: Actor) -> Q | None:
    """Interactions: one's own, those with customers one sees, and (managers, team mode) the store's."""
    if actor.is_admin:
        return None
    associate = actor.associate
    if associate is None:
        return Q(pk__in=[])
    seen = visible_customers(actor).filter(pk=OuterRef("customer_id"))
    condition = Q(associate_id=associate.pk) | Q(Exists(seen))
    if actor.sees_whole_store:
        condition |= Q(associate__store_id=associate.store_id)
    return condition


def visible_interactions(actor: Actor) -> QuerySet:
    from shopfloor.orders.models import Interaction

    condition = interaction_filter(actor)
    return Interaction.objects.all() if condition is None else Interaction.objects.filter(condition)
