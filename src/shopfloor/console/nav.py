"""The console's navigation: a small registry that each capability adds its pages to.

A capability registers its entry once, from its AppConfig.ready() or here:

    from shopfloor.console import nav
    nav.register("Lists", "console:lists", icon="list", order=30)

`icon` names a symbol of console/_icons.html; `roles` says who sees the entry
(the access policy's roles); `badge`, when given, is a function of the actor
returning a number to show next to the label (None or 0 shows nothing).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from shopfloor.access import Actor, Role

STAFF_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.ASSOCIATE})
MANAGING_ROLES = frozenset({Role.ADMIN, Role.MANAGER})
SELLING_ROLES = frozenset({Role.MANAGER, Role.ASSOCIATE})
ADMIN_ROLES = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    icon: str
    roles: frozenset[str] = STAFF_ROLES
    order: int = 100
    badge: Callable[[Actor], int | None] | None = None

    def visible_to(self, actor: Actor) -> bool:
        return actor.role in self.roles


@dataclass(frozen=True)
class NavLink:
    """An entry as one request shows it."""

    label: str
    url: str
    icon: str
    is_active: bool
    badge: int | None


_registry: dict[str, NavEntry] = {}


def register(
    label: str, url_name: str, icon: str, roles=STAFF_ROLES, order: int = 100, badge=None
) -> NavEntry:
    """Add (or replace, keyed by url name) a navigation entry."""
    entry = NavEntry(
        label=label, url_name=url_name, icon=icon, roles=frozenset(roles), order=order, badge=badge
    )
    _registry[url_name] = entry
    return entry


def unregister(url_name: str) -> None:
    _registry.pop(url_name, None)


def entries() -> list[NavEntry]:
    return sorted(_registry.values(), key=lambda entry: (entry.order, entry.label))


def links_for(actor: Actor, path: str) -> list[NavLink]:
    """The entries this actor may see; the one whose URL is the longest prefix of `path` is active."""
    visible = []
    for entry in entries():
        if not entry.visible_to(actor):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        visible.append((entry, url))
    matching = [url for _, url in visible if path.startswith(url)]
    active_url = max(matching, key=len) if matching else None
    return [
        NavLink(
            label=entry.label, url=url, icon=entry.icon, is_active=url == active_url,
            badge=entry.badge(actor) if entry.badge else None,
        )
        for entry, url in visible
    ]


# The console's own pages ---------------------------------------------------------------------------------


def _pending_approvals(actor: Actor) -> int:
    from shopfloor.customers.models import CustomerStatus
    from shopfloor.customers.selectors import customer_list

    return customer_list(actor, status=CustomerStatus.PENDING).count()


register("Dashboard", "console:dashboard", icon="home", roles=SELLING_ROLES, order=1)
register("Customers", "console:customers", icon="users", order=10)
register("Approvals", "console:approvals", icon="user-check", roles=MANAGING_ROLES, order=20,
         badge=_pending_approvals)
register("Reports", "console:reports", icon="bar-chart", roles=MANAGING_ROLES, order=40)
register("Payouts", "console:payouts", icon="wallet", roles=ADMIN_ROLES, order=50)
register("What would I earn?", "console:simulate", icon="calculator", order=30)
register("Coupons", "console:coupons", icon="tag", order=32)
register("Payout details", "console:payout_profile", icon="credit-card", order=60)
register("Settings", "console:settings", icon="sliders", order=900)
