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

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from shopfloor.accounts.models import Associate, SellingMode, Store, User


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
        if User.associate.is_cached(self.user):
            # Read with the user (accounts.services.user_for_token): no query of its own.
            associate = getattr(self.user, "associate", None)
            if associate is None:
                return None
        else:
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


def _probed_assigned_to(associate: Associate) -> Q:
    """`_assigned_to`, written as a scalar subquery: a database tests it row by row with one index
    probe and never turns it into a join or a hash of every customer assigned to the associate."""
    from shopfloor.customers.models import CustomerAssignment

    assigned = CustomerAssignment.objects.filter(customer_id=OuterRef("pk"), associate_id=associate.pk)
    return Q(pk=Subquery(assigned.values("customer_id")[:1]))


def customer_probe_filter(actor: Actor) -> Q | None:
    """`customer_filter` written for paged reads that walk an index and stop after a page.

    PostgreSQL answers the EXISTS of `customer_filter` (alone or in the OR with the store) with a
    hash of every customer assigned to the associate, tens of thousands of rows, before it reads
    the first one; here the assignment is tested row by row, so a read that stops early costs
    only the rows it reads. The same rows either way (tests/test_access_properties.py).
    """
    if actor.is_admin:
        return None
    associate = actor.associate
    if associate is None:
        return customer_filter(actor)
    if actor.sees_whole_store:
        return Q(store_id=associate.store_id) | _probed_assigned_to(associate)
    return _probed_assigned_to(associate)


def customer_assignments_seen(actor: Actor) -> QuerySet | None:
    """When the customers the actor sees are exactly the customers of some assignment rows, one row
    per customer, those rows (an associate in associate mode: their own assignments); else None.

    Customer search reads these rows' copies of the search columns (customers.selectors), so an
    associate's search is a range of their own rows rather than a test of every matching customer.
    The same customers as `visible_customers` (tests/customers/test_assignment_search.py).
    """
    from shopfloor.customers.models import CustomerAssignment

    if actor.is_admin or actor.associate is None or actor.sees_whole_store:
        return None
    return CustomerAssignment.objects.filter(associate_id=actor.associate.pk)


def _get_visible(queryset: QuerySet, pk):
    """The one row of a visibility-filtered queryset; a malformed id or a hidden row is NotVisible (404)."""
    try:
        return queryset.get(pk=pk)
    except (ValueError, TypeError, queryset.model.DoesNotExist):
        raise NotVisible


def visible_customers(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    from shopfloor.customers.models import Customer

    queryset = Customer.objects.all() if queryset is None else queryset
    condition = customer_filter(actor)
    return queryset if condition is None else queryset.filter(condition)


def get_customer_for(actor: Actor, customer_id, queryset: QuerySet | None = None):
    return _get_visible(visible_customers(actor, queryset), customer_id)


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
    return _get_visible(visible_orders(actor, queryset), order_id)


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
    return _get_visible(visible_earners(actor), associate_id)


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
    from shopfloor.attribution.models import Coupon

    condition = coupon_filter(actor)
    coupons = Coupon.objects.select_related("associate__store")
    return coupons if condition is None else coupons.filter(condition)


def get_coupon_for(actor: Actor, coupon_id):
    return _get_visible(visible_coupons(actor), coupon_id)


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
    from shopfloor.attribution.models import Interaction

    condition = interaction_filter(actor)
    return Interaction.objects.all() if condition is None else Interaction.objects.filter(condition)


# Live shopping: website visitors and their chats -----------------------------------------------

# A visitor of the actor's store is theirs to see when anonymous, when they may see the customer,
# or when the visitor's open chat may be answered by them (the online connector lets any associate
# of the store answer a waiting request, DESIGN.md §3) or is theirs. The live workspace's consumer
# applies the same rule to each event with `can_see_live_visitor`.


def can_see_live_visitor(actor: Actor, *, store_id: int, customer_visible: bool, chat_waiting: bool = False,
                         chat_associate_id: int | None = None) -> bool:
    if actor.is_admin:
        return True
    associate = actor.associate
    if associate is None or store_id != associate.store_id:
        return False
    return customer_visible or chat_waiting or chat_associate_id == associate.pk


def live_visitor_filter(actor: Actor) -> Q | None:
    if actor.is_admin:
        return None
    associate = actor.associate
    if associate is None:
        return Q(pk__in=[])
    from shopfloor.live.models import Chat, ChatStatus

    seen = visible_customers(actor).filter(pk=OuterRef("customer_id"))
    answerable = Chat.objects.filter(visitor_id=OuterRef("pk")).filter(
        Q(status=ChatStatus.WAITING) | Q(status=ChatStatus.ACTIVE, associate_id=associate.pk)
    )
    return Q(store_id=associate.store_id) & (Q(customer__isnull=True) | Q(Exists(seen)) | Q(Exists(answerable)))


def visible_live_visitors(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    from shopfloor.live.models import Visitor

    queryset = Visitor.objects.all() if queryset is None else queryset
    condition = live_visitor_filter(actor)
    return queryset if condition is None else queryset.filter(condition)


def get_live_visitor_for(actor: Actor, visitor_id, queryset: QuerySet | None = None):
    return _get_visible(visible_live_visitors(actor, queryset), visitor_id)


def live_chat_filter(actor: Actor) -> Q | None:
    """Chats: one's own; the store's waiting requests; managers and team-mode associates the store's;
    in associate mode also those with the customers one sees (anonymous visitors' chats stay with their owner)."""
    if actor.is_admin:
        return None
    associate = actor.associate
    if associate is None:
        return Q(pk__in=[])
    store = Q(store_id=associate.store_id)
    condition = Q(associate_id=associate.pk) | (store & Q(status="waiting"))
    if actor.sees_whole_store:
        return condition | store
    seen = visible_customers(actor).filter(pk=OuterRef("customer_id"))
    return condition | (store & Q(Exists(seen)))


def visible_live_chats(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    from shopfloor.live.models import Chat

    queryset = Chat.objects.all() if queryset is None else queryset
    condition = live_chat_filter(actor)
    return queryset if condition is None else queryset.filter(condition)


def get_live_chat_for(actor: Actor, chat_id, queryset: QuerySet | None = None):
    return _get_visible(visible_live_chats(actor, queryset), chat_id)


# Lookbooks, "My Looks" and outreach ---------------------------------------------------------------


def authored_filter(actor: Actor) -> Q | None:
    """Lookbooks and looks (rows with `author` and `store`): their author in associate mode; every associate
    of the store in team mode; managers their store's; admins all. None means every row."""
    if actor.is_admin:
        return None
    associate = actor.associate
    if associate is None:
        return Q(pk__in=[])
    if actor.sees_whole_store:
        return Q(store_id=associate.store_id) | Q(author_id=associate.pk)
    return Q(author_id=associate.pk)


def visible_lookbooks(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    from shopfloor.lookbooks.models import Lookbook

    queryset = Lookbook.objects.all() if queryset is None else queryset
    condition = authored_filter(actor)
    return queryset if condition is None else queryset.filter(condition)


def get_lookbook_for(actor: Actor, lookbook_id, queryset: QuerySet | None = None):
    return _get_visible(visible_lookbooks(actor, queryset), lookbook_id)


def visible_looks(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    from shopfloor.lookbooks.models import Look

    queryset = Look.objects.all() if queryset is None else queryset
    condition = authored_filter(actor)
    return queryset if condition is None else queryset.filter(condition)


def get_look_for(actor: Actor, look_id, queryset: QuerySet | None = None):
    return _get_visible(visible_looks(actor, queryset), look_id)


def visible_outreach(actor: Actor) -> QuerySet:
    """Messages sent to customers the actor sees (admins: all)."""
    from shopfloor.outreach.models import OutreachMessage

    if actor.is_admin:
        return OutreachMessage.objects.all()
    seen = visible_customers(actor).filter(pk=OuterRef("customer_id"))
    return OutreachMessage.objects.filter(Exists(seen))


# Collaborative lists ----------------------------------------------------------------


def list_filter(actor: Actor) -> Q | None:
    """Lists follow their customer: whoever sees the customer sees the customer's lists."""
    if actor.is_admin:
        return None
    if actor.associate is None:
        if actor.customer is not None:
            return Q(customer_id=actor.customer.pk)
        return Q(pk__in=[])
    seen = visible_customers(actor).filter(pk=OuterRef("customer_id"))
    return Q(Exists(seen))


def visible_lists(actor: Actor, queryset: QuerySet | None = None, *, deleted: bool = False) -> QuerySet:
    """The lists the actor may see: live ones, or (`deleted=True`) the deleted ones still restorable."""
    from shopfloor.lists.models import CustomerList

    queryset = CustomerList.objects.all() if queryset is None else queryset
    queryset = queryset.filter(deleted_at__isnull=not deleted)
    condition = list_filter(actor)
    return queryset if condition is None else queryset.filter(condition)


def get_list_for(actor: Actor, list_id, queryset: QuerySet | None = None, *, deleted: bool = False):
    """A list the actor may see, or NotVisible (404) as for an unknown id; deleted lists only when asked."""
    return _get_visible(visible_lists(actor, queryset, deleted=deleted), list_id)


def can_restore_list(actor: Actor, customer_list) -> bool:
    """A deleted list comes back by its author, a manager of the customer's store, or an admin."""
    if actor.is_admin:
        return True
    if customer_list.created_by_id is not None and customer_list.created_by_id == getattr(actor.user, "pk", None):
        return True
    return actor.is_manager and actor.store is not None and customer_list.customer.store_id == actor.store.pk


# Message threads, announcements, subagents (comms) ------------------------------------------------------


def thread_filter(actor: Actor) -> Q:
    """Threads the actor is a member of (nobody else reads one: 404).

    A thread with the retailer: the associate, the managers of their store, every admin.
    A thread between an agent and a subagent: those two only (admins do not read them).
    """
    condition = Q(pk__in=[])
    if actor.is_admin:
        condition |= Q(kind="retailer")
    associate = actor.associate
    if associate is not None:
        condition |= Q(associate_id=associate.pk) | Q(kind="agent", agent_id=associate.pk)
        if actor.is_manager:
            condition |= Q(kind="retailer", associate__store_id=associate.store_id)
    return condition


def visible_threads(actor: Actor) -> QuerySet:
    from shopfloor.comms.models import Thread

    return Thread.objects.filter(thread_filter(actor))


def get_thread_for(actor: Actor, thread_id):
    return _get_visible(visible_threads(actor).select_related("associate__store", "agent"), thread_id)


def thread_members(thread) -> QuerySet:
    """The users who read `thread`: the same people thread_filter lets in."""
    from shopfloor.accounts.models import User

    if thread.kind == "retailer":
        people = (Q(associate__pk=thread.associate_id, associate__active=True) | Q(is_staff=True)
                  | Q(associate__store_id=thread.associate.store_id, associate__role="manager",
                      associate__active=True))
    else:
        people = Q(associate__active=True) & Q(associate__pk__in=[thread.associate_id, thread.agent_id])
    return User.objects.filter(people, is_active=True).distinct()


def announcement_filter(actor: Actor, now=None) -> Q:
    """Announcements the actor reads: admins every one (drafts and scheduled too); associates those
    published (publish_at passed) to everyone, to their store or to one of their agent groups."""
    from django.utils import timezone

    from shopfloor.comms.models import Announcement

    if actor.is_admin:
        return Q()
    associate = actor.associate
    if associate is None:
        return Q(pk__in=[])
    in_store = Announcement.stores.through.objects.filter(
        announcement_id=OuterRef("pk"), store_id=associate.store_id
    )
    in_group = Announcement.agent_groups.through.objects.filter(
        announcement_id=OuterRef("pk"), agentgroup__associates=associate.pk
    )
    return Q(publish_at__lte=now or timezone.now()) & (
        Q(audience="all") | (Q(audience="stores") & Q(Exists(in_store)))
        | (Q(audience="groups") & Q(Exists(in_group)))
    )


def visible_announcements(actor: Actor, now=None) -> QuerySet:
    from shopfloor.comms.models import Announcement

    return Announcement.objects.filter(announcement_filter(actor, now))


def get_announcement_for(actor: Actor, announcement_id):
    return _get_visible(visible_announcements(actor), announcement_id)


def announcement_audience(announcement) -> QuerySet:
    """The active associates (with a login) an announcement is for."""
    associates = Associate.objects.filter(active=True, user__isnull=False, user__is_active=True)
    if announcement.audience == "stores":
        associates = associates.filter(store__in=announcement.stores.all())
    elif announcement.audience == "groups":
        associates = associates.filter(agent_groups__in=announcement.agent_groups.all())
    return associates.distinct()


# How many levels below an agent they see (their subagents, theirs, and so on).
DOWNLINE_LEVELS = 3


def downline_filter(actor: Actor, prefix: str = "") -> Q:
    """Associates (or, with prefix="associate__", rows of associates) in the actor's downline;
    admins see every subagent (every associate with an upline)."""
    if actor.is_admin:
        return Q(**{f"{prefix}parent__isnull": False})
    associate = actor.associate
    if associate is None:
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    for level in range(1, DOWNLINE_LEVELS + 1):
        condition |= Q(**{f"{prefix}{'parent__' * level}pk": associate.pk})
    return condition


def visible_subagents(actor: Actor) -> QuerySet:
    return Associate.objects.filter(downline_filter(actor)).select_related("store", "parent")


def subagent_orders(actor: Actor) -> QuerySet:
    """The sales credited to the actor's subagents (the agents page shows them, without customers)."""
    from shopfloor.orders.models import Order

    return Order.objects.filter(downline_filter(actor, prefix="attributed_associate__"))


# Tasks (clienteling) ------------------------------------------------------------------------------


def task_filter(actor: Actor) -> Q | None:
    """Tasks, per DESIGN.md §3: in associate mode manual tasks are their author's and assignee's, and rule-made
    tasks their assignee's (the customer's associate); in team mode every task of the store is the store's.
    Managers see their store's tasks; admins every task; customers none."""
    if actor.is_admin:
        return None
    associate = actor.associate
    if associate is None:
        return Q(pk__in=[])
    theirs = Q(assignee_id=associate.pk) | Q(created_by_id=actor.user.pk)
    if actor.sees_whole_store:
        return Q(store_id=associate.store_id) | theirs
    return theirs


def visible_tasks(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    from shopfloor.clienteling.models import Task

    queryset = Task.objects.all() if queryset is None else queryset
    condition = task_filter(actor)
    return queryset if condition is None else queryset.filter(condition)


def get_task_for(actor: Actor, task_id, queryset: QuerySet | None = None):
    return _get_visible(visible_tasks(actor, queryset), task_id)


def can_delete_task(actor: Actor, task) -> bool:
    """A manual task is deleted by its author, a manager of its store or an admin; rule-made ones are completed."""
    if actor.is_admin:
        return True
    if not task.is_manual:
        return False
    if task.created_by_id is not None and task.created_by_id == getattr(actor.user, "pk", None):
        return True
    return actor.is_manager and actor.store is not None and task.store_id == actor.store.pk


def kpi_scope(actor: Actor) -> str:
    """Whose KPIs an actor sees by default (DESIGN.md §3): "own" (associate mode), "store" (team mode and
    managers) or "all" (admins). Managers and admins may also pick one associate they see."""
    if actor.is_admin:
        return "all"
    if actor.associate is None:
        return "none"
    return "store" if actor.sees_whole_store else "own"
