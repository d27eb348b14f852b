"""The console's navigation: a small registry that each capability adds its pages to.

A capability registers its entry once, from its AppConfig.ready() or here:

    from shopfloor.console import nav
    nav.register("Lists", "console:lists", icon="list", order=30, section=nav.SELL)

`section` is one of SECTIONS, the headed groups the menu shows in the retailer's words; `order`
sorts the entries inside their section. `icon` names a symbol of console/_icons.html; `roles` says
who sees the entry (the access policy's roles); `badge`, when given, is a function of the actor
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

# The menu's groups, in the order it shows them. A fixed list rather than free text, so that a typo in
# one app's register call fails at start-up instead of opening a stray group of one.
SELL = "Sell"  # the day's selling: dashboard, live shoppers, lists, looks, tasks
CUSTOMERS = "Customers"  # the people sold to: records, approvals, reaching out
MONEY = "Money"  # earnings, coupons, what a sale would pay, reports
TEAM = "Team"  # the retailer and the associates talking to each other, agents
SETTINGS = "Settings"  # how the console and its rules are set up
SECTIONS = (SELL, CUSTOMERS, MONEY, TEAM, SETTINGS)


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    icon: str
    section: str
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
    section: str


@dataclass(frozen=True)
class NavSection:
    """A headed group of links as one request shows it; `slug` makes a stable id for its heading."""

    label: str
    slug: str
    links: list[NavLink]


_registry: dict[str, NavEntry] = {}


def register(
    label: str, url_name: str, icon: str, roles=STAFF_ROLES, order: int = 100, badge=None, *, section: str
) -> NavEntry:
    """Add (or replace, keyed by url name) a navigation entry in one of SECTIONS."""
    if section not in SECTIONS:
        raise ValueError(f"Unknown navigation section {section!r}; use one of {', '.join(SECTIONS)}.")
    entry = NavEntry(
        label=label, url_name=url_name, icon=icon, section=section, roles=frozenset(roles), order=order,
        badge=badge,
    )
    _registry[url_name] = entry
    return entry


def unregister(url_name: str) -> None:
    _registry.pop(url_name, None)


def entries() -> list[NavEntry]:
    """Every entry, section by section, then by order inside its section."""
    return sorted(
        _registry.values(), key=lambda entry: (SECTIONS.index(entry.section), entry.order, entry.label)
    )


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
            badge=entry.badge(actor) if entry.badge else None, section=entry.section,
        )
        for entry, url in visible
    ]


def sections_for(actor: Actor, path: str) -> list[NavSection]:
    """links_for, grouped under SECTIONS in their order; a section with nothing for this actor is left out."""
    grouped: dict[str, list[NavLink]] = {}
    for link in links_for(actor, path):
        grouped.setdefault(link.section, []).append(link)
    return [
        NavSection(label=section, slug=section.lower(), links=grouped[section])
        for section in SECTIONS
        if section in grouped
    ]


# The console's own pages ---------------------------------------------------------------------------------


def _pending_approvals(actor: Actor) -> int:
    from shopfloor.customers.models import CustomerStatus
    from shopfloor.customers.selectors import customer_list

    return customer_list(actor, status=CustomerStatus.PENDING).count()


register("Dashboard", "console:dashboard", icon="home", roles=SELLING_ROLES, order=1, section=SELL)
register("Customers", "console:customers", icon="users", order=10, section=CUSTOMERS)
register("Approvals", "console:approvals", icon="user-check", roles=MANAGING_ROLES, order=20,
         badge=_pending_approvals, section=CUSTOMERS)
register("What would I earn?", "console:simulate", icon="calculator", order=30, section=MONEY)
register("Coupons", "console:coupons", icon="tag", order=32, section=MONEY)
register("Reports", "console:reports", icon="bar-chart", roles=MANAGING_ROLES, order=40, section=MONEY)
register("Payouts", "console:payouts", icon="wallet", roles=ADMIN_ROLES, order=50, section=MONEY)
register("Payout details", "console:payout_profile", icon="credit-card", order=60, section=MONEY)
register("Settings", "console:settings", icon="sliders", order=900, section=SETTINGS)
