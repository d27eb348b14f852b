"""The console's menu: entries grouped under headed sections in the retailer's words, per role."""

import re

import pytest

from shopfloor import consolekit
from shopfloor.access import Actor

ASSOCIATE_MENU = [
    ("Sell", ["Dashboard", "Live", "Lists", "Tasks", "My Looks", "Lookbooks"]),
    ("Customers", ["Customers", "Post to social"]),
    ("Money", ["What would I earn?", "Coupons", "KPIs", "Payout details"]),
    ("Team", ["Announcements", "Messages", "Agents"]),
    ("Settings", ["Settings"]),
]
MANAGER_MENU = [
    ("Sell", ["Dashboard", "Live", "Lists", "Tasks", "My Looks", "Lookbooks"]),
    ("Customers", ["Customers", "Post to social", "Approvals"]),
    ("Money", ["What would I earn?", "Coupons", "Reports", "KPIs", "Payout details"]),
    ("Team", ["Announcements", "Messages", "Agents"]),
    ("Settings", ["Settings"]),
]
ADMIN_MENU = [
    ("Sell", ["Live", "Lists", "Tasks", "My Looks", "Lookbooks"]),
    ("Customers", ["Customers", "Approvals"]),
    ("Money", ["What would I earn?", "Coupons", "Reports", "KPIs", "Payouts", "Payout details"]),
    ("Team", ["Announcements", "Messages", "Agents"]),
    ("Settings", ["Task rules", "Settings"]),
]


def menu(html: str) -> list[tuple[str, list[str]]]:
    """The rendered menu as (heading, [labels]), read from the markup a screen reader gets."""
    navigation = re.search(r'<nav class="nav" aria-label="Console">(.*?)</nav>', html, re.S).group(1)
    sections = []
    for slug, heading, body in re.findall(
        r'<h2 class="nav__heading" id="nav-([a-z]+)">([^<]+)</h2>\s*'
        r'<ul class="nav__list" aria-labelledby="nav-\1">(.*?)</ul>',
        navigation,
        re.S,
    ):
        assert slug == heading.lower()
        sections.append((heading, re.findall(r'class="nav__label">([^<]+)<', body)))
    return sections


def person(world, name):
    return world.admin if name == "admin" else getattr(world, name).user


@pytest.mark.parametrize(
    ("name", "expected"),
    [("ana", ASSOCIATE_MENU), ("tom", ASSOCIATE_MENU), ("nora", MANAGER_MENU), ("admin", ADMIN_MENU)],
)
def test_each_role_sees_its_entries_under_headed_sections(client_as, world, name, expected):
    html = client_as(person(world, name)).get("/console/customers/").content.decode()
    assert menu(html) == expected
    # Every entry is in a section: nothing is left over outside the groups.
    assert len(re.findall(r'class="nav__label"', html)) == sum(len(labels) for _, labels in expected)


def test_the_current_page_is_marked_inside_its_section(client_as, world):
    html = client_as(world.nora.user).get("/console/reports/").content.decode()
    current = re.findall(r'<a class="nav__link is-active" href="([^"]+)" aria-current="page">', html)
    assert current == ["/console/reports/"]
    money = html[html.index('id="nav-money"') : html.index('id="nav-team"')]
    assert 'aria-current="page"' in money


def test_a_section_with_nothing_for_the_actor_is_left_out(world):
    saved = dict(consolekit._nav_registry)
    try:
        for url_name, entry in saved.items():
            if entry.section == consolekit.TEAM:
                consolekit.unregister_nav(url_name)
        consolekit.register_nav("Only admins", "console:payouts", icon="wallet", roles=consolekit.ADMIN_ROLES,
                                section=consolekit.TEAM)
        ana = consolekit.nav_sections_for(Actor(world.ana.user), "/console/")
        admin = consolekit.nav_sections_for(Actor(world.admin), "/console/")
    finally:
        consolekit._nav_registry.clear()
        consolekit._nav_registry.update(saved)
    assert "Team" not in [section.label for section in ana]
    assert [link.label for link in next(s for s in admin if s.label == "Team").links] == ["Only admins"]


def test_an_entry_in_an_unknown_section_is_refused_at_registration():
    with pytest.raises(ValueError, match="Unknown navigation section 'Selling'"):
        consolekit.register_nav("Oops", "console:oops", icon="x", section="Selling")
    assert "console:oops" not in consolekit._nav_registry
