"""What every app's console pages share: the page frame and the menu.

The frame: `console_page` (sign-in, staff only, NotVisible → 404, NotAllowed → 403), `render_page` (the page
inside the console's frame: who is signed in, the menu, the values other apps provide), `require_role`.
The frame's templates are the console app's (`console/base.html` and its error pages).

This module imports no app. What the frame shows from an app comes through the registries below, filled by
each app from its AppConfig.ready():

    from shopfloor import consolekit
    consolekit.register_nav("Lists", "lists:index", icon="list", order=30, section=consolekit.SELL)
    consolekit.register_frame_value("unread_notifications", lambda actor: unread_count(actor.user))

The menu: `section` is one of SECTIONS, the headed groups the menu shows in the retailer's words; `order`
sorts the entries inside their section. `icon` names a symbol of console/_icons.html; `roles` says who sees
the entry (the access policy's roles); `badge`, when given, is a function of the actor returning a number to
show next to the label (None or 0 shows nothing).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from shopfloor.access import Actor, NotAllowed, NotVisible, Role

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


# The menu ------------------------------------------------------------------------------------------------


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


_nav_registry: dict[str, NavEntry] = {}


def register_nav(
    label: str, url_name: str, icon: str, roles=STAFF_ROLES, order: int = 100, badge=None, *, section: str
) -> NavEntry:
    """Add (or replace, keyed by url name) a navigation entry in one of SECTIONS."""
    if section not in SECTIONS:
        raise ValueError(f"Unknown navigation section {section!r}; use one of {', '.join(SECTIONS)}.")
    entry = NavEntry(
        label=label, url_name=url_name, icon=icon, section=section, roles=frozenset(roles), order=order,
        badge=badge,
    )
    _nav_registry[url_name] = entry
    return entry


def unregister_nav(url_name: str) -> None:
    _nav_registry.pop(url_name, None)


def nav_entries() -> list[NavEntry]:
    """Every entry, section by section, then by order inside its section."""
    return sorted(
        _nav_registry.values(), key=lambda entry: (SECTIONS.index(entry.section), entry.order, entry.label)
    )


def nav_links_for(actor: Actor, path: str) -> list[NavLink]:
    """The entries this actor may see; the one whose URL is the longest prefix of `path` is active."""
    visible = []
    for entry in nav_entries():
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


def nav_sections_for(actor: Actor, path: str) -> list[NavSection]:
    """nav_links_for, grouped under SECTIONS in their order; a section with nothing for this actor is left out."""
    grouped: dict[str, list[NavLink]] = {}
    for link in nav_links_for(actor, path):
        grouped.setdefault(link.section, []).append(link)
    return [
        NavSection(label=section, slug=section.lower(), links=grouped[section])
        for section in SECTIONS
        if section in grouped
    ]


# Values other apps show in the frame ---------------------------------------------------------------------

_frame_values: dict[str, Callable[[Actor], object]] = {}


def register_frame_value(name: str, value: Callable[[Actor], object]) -> None:
    """Add (or replace) a value every console page's context gets under `name`, computed for the actor."""
    _frame_values[name] = value


# The page frame ------------------------------------------------------------------------------------------

ASSOCIATE_MODE_ABOUT = ("In associate mode each associate has their own customers, and sales are credited "
                        "to the associate.")
TEAM_MODE_ABOUT = ("In team mode the store's associates share its customers, and sales are credited "
                   "to the store.")
ROLE_LABELS = {Role.ADMIN: "Admin", Role.MANAGER: "Store manager", Role.ASSOCIATE: "Associate"}


def initials(name: str) -> str:
    """"Ana Maria Ribeiro" → "AR"; one word gives its first two letters; nothing gives "?"."""
    parts = [part for part in name.split() if part]
    if not parts:
        return "?"
    if len(parts) == 1:
        return parts[0][:2].upper()
    return (parts[0][0] + parts[-1][0]).upper()


def person_for(actor: Actor) -> dict:
    """Who is signed in, as the navigation shows them."""
    associate = actor.associate
    store = actor.store
    if actor.is_admin or store is None:
        scope = "Every store"
        mode_label = ""
        mode_help = "As an admin you see every store's customers."
        mode_about = ""
    else:
        scope = store.name
        mode_label = store.get_selling_mode_display()
        if actor.sees_whole_store:
            mode_help = f"You see every customer of {store.name}."
        else:
            mode_help = "You see the customers assigned to you."
        mode_about = TEAM_MODE_ABOUT if store.is_team_mode else ASSOCIATE_MODE_ABOUT
    name = (associate.name if associate else "") or actor.user.get_full_name()
    return {
        "name": name,
        "email": actor.user.email,
        "role": actor.role,
        "role_label": ROLE_LABELS.get(actor.role, ""),
        "scope": scope,
        "selling_mode": store.selling_mode if store and mode_label else "",
        "selling_mode_label": mode_label,
        "selling_mode_help": mode_help,
        "selling_mode_about": mode_about,
        "initials": initials(name),
    }


def render_page(request, template: str, context: dict | None = None, status: int = 200):
    actor = request.actor
    frame = {
        "actor": actor,
        "me": person_for(actor),
        "nav_sections": nav_sections_for(actor, request.path),
        **{name: value(actor) for name, value in _frame_values.items()},
    }
    return render(request, template, {**frame, **(context or {})}, status=status)


def console_page(view):
    """Sign-in required; staff only; NotVisible answers 404 and NotAllowed 403, inside the console frame."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        actor = Actor(request.user)
        if not actor.is_staff_member:
            return render(request, "console/no_access.html", {"email": request.user.email}, status=403)
        request.actor = actor
        try:
            return view(request, *args, **kwargs)
        except NotVisible:
            return render_page(request, "console/not_found.html", status=404)
        except NotAllowed as exc:
            return render_page(request, "console/forbidden.html", {"reason": str(exc)}, status=403)

    return wrapper


def require_role(actor: Actor, roles) -> None:
    if actor.role not in roles:
        raise NotAllowed("Only admins and store managers may open this page.")
