"""Clienteling KPIs over a period: what an associate, a store or the whole retailer sold and did.

Whose figures an actor sees follows DESIGN.md §3 (access.kpi_scope): their own in associate mode, their
store's in team mode; managers their store's and each of its associates'; admins everything.

Where each figure comes from:
- sales, orders, average order value: placed or completed orders (as in the reports), counted for whom the
  attribution credits (orders.attributed_associate / attributed_store / influencer), not for the shop an
  order came through, which is a filter (`Scope.through`); a store's figure is its report's total
  (clienteling.reports);
- customers contacted: orders.Interaction (chats and calls recorded by live, list notifications), outreach
  messages not failed, tasks done about a customer;
- outreach sent and clicked: outreach.OutreachMessage sent, and those with a TrackedLink clicked;
- tasks completed and overdue: clienteling.Task (done in the period; not done and past due now);
- chat response time: live.Chat, from the visitor's request to an associate taking it;
- conversion from outreach and lookbooks: messages sent / lookbooks opened followed within CONVERSION_DAYS by
  an order credited to their sender or author (or the store, when no associate is credited).
Figures another capability records (outreach, live, lookbooks) are read when that app's models exist;
otherwise they are None and the page shows "—".

`daily_sales` is the day-by-day series of the KPI page's chart and of the console's reports.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from shopfloor.access import Actor, NotVisible, kpi_scope, visible_associates, visible_stores
from shopfloor.accounts.models import Associate, Store
from shopfloor.attribution.models import Interaction
from shopfloor.clienteling.models import Task, TaskStatus
from shopfloor.clienteling.selectors import with_effective_due
from shopfloor.money import ZERO, to_cents
from shopfloor.orders.models import Order, OrderStatus
from shopfloor.periods import Period

# The orders that are sales, for the KPIs and for the console's dashboard and reports alike: pending-payment
# orders are not paid yet and cancelled ones never will be.
SALE_STATUSES = (OrderStatus.PLACED, OrderStatus.COMPLETED)
# An order within this many days of a message or a lookbook opening counts as converted.
CONVERSION_DAYS = 14


@dataclass(frozen=True)
class Scope:
    """Whose figures: "own" / "associate" (one associate), "store", or "all"."""

    kind: str
    store: Store | None = None
    associate: Associate | None = None
    # A filter, not the credit: only the sales that came through this store (Order.store).
    through: Store | None = None

    @property
    def label(self) -> str:
        if self.associate is not None:
            return self.associate.name
        if self.store is not None:
            return self.store.name
        return "Every store"

    @property
    def sales_label(self) -> str:
        """What the sales figure holds, in words: whom the sales are credited to."""
        if self.kind == "own":
            label = "Sales credited to you"
        elif self.associate is not None and self.associate.store.is_team_mode:
            label = f"Sales {self.associate.name} helped with (credited to {self.associate.store.name})"
        elif self.associate is not None:
            label = f"Sales credited to {self.associate.name}"
        elif self.store is not None:
            label = f"Sales credited to {self.store.name}"
        else:
            label = "Sales credited to the stores"
        return f"{label}, through {self.through.name}" if self.through is not None else label


def resolve_scope(actor: Actor, *, store_id=None, associate_id=None, through_id=None) -> Scope:
    """The scope an actor asked for, within what they may see; anything else is NotVisible (404).
    `through_id` narrows the sales to those that came through a store the actor sees."""
    scope = _resolve_scope(actor, store_id=store_id, associate_id=associate_id)
    if through_id is None:
        return scope
    through = visible_stores(actor).filter(pk=through_id).first()
    if through is None:
        raise NotVisible
    return Scope(scope.kind, scope.store, scope.associate, through)


def _resolve_scope(actor: Actor, *, store_id=None, associate_id=None) -> Scope:
    default = kpi_scope(actor)
    if default == "none":
        raise NotVisible
    if associate_id is not None:
        if default == "own":
            if associate_id != actor.associate.pk:
                raise NotVisible
            return Scope("own", actor.associate.store, actor.associate)
        if not (actor.is_admin or actor.is_manager):
            raise NotVisible  # team-mode associates see the store's figures, not a colleague's
        associate = visible_associates(actor).select_related("store").filter(pk=associate_id).first()
        if associate is None:
            raise NotVisible
        return Scope("associate", associate.store, associate)
    if default == "own":
        if store_id is not None:
            raise NotVisible  # associate mode: one's own figures, not the store's
        return Scope("own", actor.associate.store, actor.associate)
    if store_id is not None:
        store = visible_stores(actor).filter(pk=store_id).first()
        if store is None:
            raise NotVisible
        return Scope("store", store)
    if default == "store":
        return Scope("store", actor.store)
    return Scope("all")


# The figures ---------------------------------------------------------------------------------------


def _optional_model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def scope_orders(scope: Scope):
    """The sales a scope is credited with (the attribution, not the shop the order came through): an
    associate's (in team mode, the sales they helped with); a store's, its associates' included; every
    attributed sale."""
    orders = Order.objects.filter(status__in=SALE_STATUSES)
    if scope.through is not None:
        orders = orders.filter(store=scope.through)
    if scope.associate is not None:
        if scope.associate.store.is_team_mode:
            return orders.filter(Q(attributed_associate=scope.associate) | Q(influencer=scope.associate))
        return orders.filter(attributed_associate=scope.associate)
    if scope.store is not None:
        return orders.filter(attributed_store=scope.store)
    return orders.filter(attributed_store__isnull=False)


def _people_q(scope: Scope, field: str) -> Q:
    """Rows done by someone in the scope: `field` is an Associate foreign key."""
    if scope.associate is not None:
        return Q(**{field: scope.associate})
    if scope.store is not None:
        return Q(**{f"{field}__store": scope.store})
    return Q()


def _task_q(scope: Scope) -> Q:
    if scope.associate is not None:
        return Q(assignee=scope.associate) | Q(completed_by_id=scope.associate.user_id, completed_by__isnull=False)
    if scope.store is not None:
        return Q(store=scope.store)
    return Q()


def in_period(period: Period, field: str) -> Q:
    start, end = period.bounds()
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def sales(scope: Scope, period: Period) -> list[dict]:
    """Per currency: attributed sales, orders and the average order value."""
    rows = (scope_orders(scope).filter(in_period(period, "placed_at")).values("currency")
            .annotate(count=Count("id"), total=Sum("total")).order_by("currency"))
    figures = []
    for row in rows:
        total = to_cents(row["total"] or ZERO)
        figures.append({"currency": row["currency"], "attributed_sales": total, "orders": row["count"],
                        "average_order_value": to_cents(total / row["count"]) if row["count"] else None})
    return figures


def daily_sales(orders: QuerySet, period: Period) -> dict[str, list[dict]]:
    """Per currency, one entry per day of the period: {"day", "orders", "sales"} (days without sales too)."""
    zone = timezone.get_current_timezone()
    rows = (orders.annotate(day=TruncDate("placed_at", tzinfo=zone)).values("day", "currency")
            .annotate(count=Count("id"), sales=Sum("total")).order_by())
    found: dict[str, dict[date, dict]] = defaultdict(dict)
    for row in rows:
        found[row["currency"]][row["day"]] = {"orders": row["count"], "sales": to_cents(row["sales"] or ZERO)}
    series = {}
    for currency, days in found.items():
        series[currency] = [
            {"day": day, **days.get(day, {"orders": 0, "sales": ZERO})}
            for day in (period.start + timedelta(days=n) for n in range(period.days))
        ]
    return series


def customers_contacted(scope: Scope, period: Period) -> int:
    """Distinct customers someone in the scope chatted or called with, notified of a list, messaged, or
    completed a task about."""
    ids = set(Interaction.objects.filter(_people_q(scope, "associate"), in_period(period, "occurred_at"),
                                         customer__isnull=False)
              .exclude(kind="lookbook_opened").values_list("customer_id", flat=True).distinct())
    ids |= set(Task.objects.filter(_task_q(scope), in_period(period, "completed_at"), status=TaskStatus.DONE,
                                   customer__isnull=False).values_list("customer_id", flat=True).distinct())
    message = _optional_model("outreach", "OutreachMessage")
    if message is not None:
        ids |= set(message.objects.filter(_people_q(scope, "associate"), in_period(period, "created_at"))
                   .exclude(status="failed").values_list("customer_id", flat=True).distinct())
    return len(ids)


def _credited_orders_within(moment: str, associate: str) -> QuerySet:
    """What counts as converted: the customer's purchases from `moment` to CONVERSION_DAYS later that are
    credited to `associate` (who sent the message, wrote the lookbook), or to their store with no associate
    credited (team mode, or a home-store sale); a sale credited to a colleague is theirs, not a conversion.
    `moment` and `associate` (a foreign key to Associate) name fields of the outer rows."""
    start = OuterRef(moment)
    return Order.objects.filter(
        Q(attributed_associate_id=OuterRef(f"{associate}_id"))
        | Q(attributed_associate__isnull=True, attributed_store_id=OuterRef(f"{associate}__store_id")),
        customer_id=OuterRef("customer_id"), status__in=SALE_STATUSES,
        placed_at__gte=start, placed_at__lt=start + timedelta(days=CONVERSION_DAYS),
    )


def outreach(scope: Scope, period: Period) -> dict:
    message = _optional_model("outreach", "OutreachMessage")
    if message is None:
        return {"sent": None, "clicked": None, "conversion": None}
    sent = message.objects.filter(_people_q(scope, "associate"), in_period(period, "created_at"), status="sent")
    clicked = sent.filter(links__click_count__gt=0).distinct()
    converted = sent.filter(Exists(_credited_orders_within("created_at", "associate")))
    sent_count = sent.count()
    return {"sent": sent_count, "clicked": clicked.count(),
            "conversion": round(converted.count() / sent_count, 4) if sent_count else None}


def lookbook_conversion(scope: Scope, period: Period) -> float | None:
    """Opened lookbooks whose customer bought afterwards (a sale credited to the author, see
    `_credited_orders_within`), as a share of the lookbooks opened."""
    lookbook = _optional_model("lookbooks", "Lookbook")
    if lookbook is None:
        return None
    opened = lookbook.objects.filter(_people_q(scope, "author"), in_period(period, "opened_at"))
    count = opened.count()
    if not count:
        return None
    bought = opened.filter(Exists(_credited_orders_within("opened_at", "author"))).count()
    return round(bought / count, 4)


def chat_response_seconds(scope: Scope, period: Period) -> float | None:
    """Average seconds a visitor who asked for a chat waited until an associate took it."""
    chat = _optional_model("live", "Chat")
    if chat is None:
        return None
    waits = list(chat.objects.filter(_people_q(scope, "associate"), in_period(period, "created_at"),
                                     origin="reactive", taken_at__isnull=False)
                 .values_list("created_at", "taken_at"))
    if not waits:
        return None
    return round(sum((taken - created).total_seconds() for created, taken in waits) / len(waits), 1)


def tasks(scope: Scope, period: Period) -> dict:
    completed = Task.objects.filter(_task_q(scope), in_period(period, "completed_at"), status=TaskStatus.DONE).count()
    overdue = with_effective_due(Task.objects.filter(_task_q(scope)).exclude(status=TaskStatus.DONE)).filter(
        effective_due__lt=timezone.localdate()).count()
    return {"completed": completed, "overdue": overdue}


def compute(scope: Scope, period: Period) -> dict:
    reached = outreach(scope, period)
    done = tasks(scope, period)
    return {
        "scope": scope, "period": period, "sales": sales(scope, period),
        "customers_contacted": customers_contacted(scope, period),
        "outreach_sent": reached["sent"], "outreach_clicked": reached["clicked"],
        "outreach_conversion": reached["conversion"], "lookbook_conversion": lookbook_conversion(scope, period),
        "tasks_completed": done["completed"], "tasks_overdue": done["overdue"],
        "chat_response_seconds": chat_response_seconds(scope, period),
    }


def per_associate(actor: Actor, scope: Scope, period: Period) -> list[dict]:
    """Managers and admins: each associate's sales in the scope's store(s), one grouped query per figure."""
    if not (actor.is_admin or actor.is_manager) or scope.associate is not None:
        return []
    associates = visible_associates(actor).select_related("store").filter(active=True)
    if scope.store is not None:
        associates = associates.filter(store=scope.store)
    associates = list(associates.order_by("store__name", "name", "pk"))
    orders = Order.objects.filter(status__in=SALE_STATUSES).filter(in_period(period, "placed_at"))
    if scope.through is not None:
        orders = orders.filter(store=scope.through)
    credited = {row["attributed_associate"]: row for row in orders.filter(attributed_associate__in=associates)
                .values("attributed_associate").annotate(count=Count("id"), total=Sum("total")).order_by()}
    helped = {row["influencer"]: row for row in orders.filter(influencer__in=associates,
                                                                attributed_associate__isnull=True)
              .values("influencer").annotate(count=Count("id"), total=Sum("total")).order_by()}
    completed: dict = defaultdict(int)
    for row in (Task.objects.filter(in_period(period, "completed_at"), status=TaskStatus.DONE,
                                    completed_by__associate__in=associates)
                .values("completed_by__associate").annotate(count=Count("id")).order_by()):
        completed[row["completed_by__associate"]] = row["count"]
    rows = []
    for associate in associates:
        team = associate.store.is_team_mode
        row = (helped if team else credited).get(associate.pk) or {"count": 0, "total": ZERO}
        rows.append({
            "associate": associate, "store": associate.store, "currency": associate.store.currency,
            "credit": "helped" if team else "credited", "orders": row["count"],
            "sales": to_cents(row["total"] or Decimal(0)), "tasks_completed": completed[associate.pk],
        })
    return rows


def kpis_out(data: dict) -> dict:
    scope, period = data["scope"], data["period"]
    return {
        "start": period.start, "end": period.end, "scope": scope.kind,
        "store_id": scope.store.pk if scope.store else None,
        "associate_id": scope.associate.pk if scope.associate else None,
        "through_store_id": scope.through.pk if scope.through else None,
        "sales": [{**row, "attributed_sales": str(row["attributed_sales"]),
                   "average_order_value": str(row["average_order_value"]) if row["average_order_value"] else None}
                  for row in data["sales"]],
        "orders": sum(row["orders"] for row in data["sales"]),
        "customers_contacted": data["customers_contacted"], "outreach_sent": data["outreach_sent"],
        "outreach_clicked": data["outreach_clicked"], "outreach_conversion": data["outreach_conversion"],
        "lookbook_conversion": data["lookbook_conversion"], "tasks_completed": data["tasks_completed"],
        "tasks_overdue": data["tasks_overdue"], "chat_response_seconds": data["chat_response_seconds"],
    }

