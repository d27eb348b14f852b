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
