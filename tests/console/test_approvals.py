"""Approving and rejecting registrations in the console: admins and store managers only, via the services."""

import re

import pytest

from shopfloor.accounts.models import AuditEvent
from shopfloor.customers.models import CustomerGroup, CustomerStatus
from tests.factories import make_customer

DECISION_VERBS = ("customer.approved", "customer.rejected")


@pytest.fixture
def pending(world):
    """Paula registered at North, in a group whose associate is Bruno; Pedro registered at South."""
    group = CustomerGroup.objects.create(name="Wholesale North")
    group.associates.add(world.bruno)
    world.paula = make_customer(world.north, "Paula", "Pinto", status=CustomerStatus.PENDING, group=group)
    world.pedro = make_customer(world.south, "Pedro", "Paiva", status=CustomerStatus.PENDING)
    return world


def user_of(world, person):
    if person == "admin":
        return world.admin
    if person == "shopper":
        return world.shopper.user
    return getattr(world, person).user


def assert_nothing_written(customer, status=CustomerStatus.PENDING):
    customer.refresh_from_db()
    assert customer.status == status
    assert not customer.assignments.exists()
    assert not AuditEvent.objects.filter(verb__in=DECISION_VERBS).exists()


def pending_names(response) -> set[str]:
    pattern = r'class="approval__name"[^>]*><a href="[^"]+">([^<]+)</a>'
    return set(re.findall(pattern, response.content.decode()))


@pytest.mark.parametrize(
    ("person", "status", "names"),
    [
        ("admin", 200, {"Paula Pinto", "Pedro Paiva"}),
        ("nora", 200, {"Paula Pinto"}),
        ("sam", 200, {"Pedro Paiva"}),
        ("ana", 403, set()),
        ("tom", 403, set()),
        ("shopper", 403, set()),
    ],
)
def test_the_approvals_page_is_for_admins_and_managers(client_as, pending, person, status, names):
    response = client_as(user_of(pending, person)).get("/console/approvals/")
    assert response.status_code == status
    assert pending_names(response) == names


def test_anonymous_visitors_are_sent_to_sign_in(client, pending):
    response = client.get("/console/approvals/")
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/")


def test_the_navigation_shows_approvals_with_a_count_to_managers_only(client_as, pending):
    html = client_as(pending.nora.user).get("/console/customers/").content.decode()
    assert re.search(r'href="/console/approvals/"[^>]*>.*?Approvals.*?nav__badge">1<', html, re.S)
    html = client_as(pending.ana.user).get("/console/customers/").content.decode()
    assert "/console/approvals/" not in html
    assert 'href="/console/customers/"' in html


def test_the_groups_associate_is_suggested(client_as, pending):
    html = client_as(pending.nora.user).get("/console/approvals/").content.decode()
    select = html[html.index(f'id="assign-{pending.paula.pk}"'):]
    select = select[:select.index("</select>")]
    assert f'<option value="{pending.bruno.pk}" selected>Bruno Dias (group\'s associate)</option>' in select
    # The store's other associates can be chosen; other stores' cannot.
    assert "Ana Pop" in select and "Tom Reis" not in select


def test_a_manager_approves_with_the_associate_they_choose(client_as, pending):
    client = client_as(pending.nora.user)
    response = client.post(f"/console/approvals/{pending.paula.pk}/approve/", {"associate": pending.ana.pk})
    assert response.status_code == 302
    assert response["Location"] == "/console/approvals/"
    pending.paula.refresh_from_db()
    assert pending.paula.status == CustomerStatus.ACTIVE
    assignments = list(pending.paula.assignments.values_list("associate_id", "is_primary"))
    assert assignments == [(pending.ana.pk, True)]
    event = AuditEvent.objects.get(verb="customer.approved")
    assert event.actor == pending.nora.user
    assert event.data == {"associate_id": pending.ana.pk}
    page = client.get(response["Location"]).content.decode()
    assert "Paula Pinto is approved, assigned to Ana Pop." in page
    assert "Nothing waiting" in page


def test_approving_without_a_choice_assigns_the_groups_associate(client_as, pending):
    client_as(pending.admin).post(f"/console/approvals/{pending.paula.pk}/approve/", {"associate": ""})
    pending.paula.refresh_from_db()
    assert pending.paula.status == CustomerStatus.ACTIVE
    assert list(pending.paula.assignments.values_list("associate_id", flat=True)) == [pending.bruno.pk]


def test_an_associate_who_is_not_offered_is_refused(client_as, pending):
    client = client_as(pending.nora.user)
    response = client.post(f"/console/approvals/{pending.paula.pk}/approve/", {"associate": pending.tom.pk})
    assert response.status_code == 302
    assert "Choose one of the listed associates." in client.get("/console/approvals/").content.decode()
    assert_nothing_written(pending.paula)


def test_a_manager_rejects_a_registration(client_as, pending):
    client = client_as(pending.sam.user)
    response = client.post(f"/console/approvals/{pending.pedro.pk}/reject/")
    assert response.status_code == 302
    pending.pedro.refresh_from_db()
    assert pending.pedro.status == CustomerStatus.REJECTED
    assert AuditEvent.objects.filter(verb="customer.rejected", actor=pending.sam.user).count() == 1
    page = client.get("/console/approvals/").content.decode()
    assert "Pedro Paiva&#x27;s registration is rejected." in page


def test_approving_an_active_customer_reports_the_conflict_and_changes_nothing(client_as, pending):
    client = client_as(pending.nora.user)
    client.post(f"/console/approvals/{pending.anas_customer.pk}/approve/", {"associate": pending.bruno.pk})
    assert "already active" in client.get("/console/approvals/").content.decode()
    assert list(pending.anas_customer.assignments.values_list("associate_id", flat=True)) == [pending.ana.pk]


@pytest.mark.parametrize("action", ["approve", "reject"])
@pytest.mark.parametrize(
    ("person", "customer", "status"),
    [
        ("ana", "paula", 403),  # an associate: not their role
        ("bruno", "paula", 403),  # the group's associate, still not their role
        ("tom", "pedro", 403),  # team mode: Tom sees Pedro, but may not decide
        ("sam", "paula", 404),  # another store's manager does not even see Paula
        ("shopper", "paula", 403),
    ],
)
def test_others_may_not_decide_and_nothing_is_written(client_as, pending, action, person, customer, status):
    target = getattr(pending, customer)
    response = client_as(user_of(pending, person)).post(
        f"/console/approvals/{target.pk}/{action}/", {"associate": pending.bruno.pk}
    )
    assert response.status_code == status
    assert_nothing_written(target)


def test_a_manager_who_sees_another_stores_registration_cannot_decide_on_it(client_as, pending):
    # Nora is assigned to Pedro (South), so she sees him; only South's managers and admins decide.
    pending.pedro.assignments.create(associate=pending.nora)
    client = client_as(pending.nora.user)
    html = client.get("/console/approvals/").content.decode()
    assert "Admins and South Store's managers decide on this registration." in html
    assert f"/console/approvals/{pending.pedro.pk}/approve/" not in html
    response = client.post(f"/console/approvals/{pending.pedro.pk}/approve/", {"associate": ""})
    assert response.status_code == 403
    pending.pedro.refresh_from_db()
    assert pending.pedro.status == CustomerStatus.PENDING
    assert not AuditEvent.objects.filter(verb__in=DECISION_VERBS).exists()


def test_anonymous_decisions_are_sent_to_sign_in_and_write_nothing(client, pending):
    response = client.post(f"/console/approvals/{pending.paula.pk}/approve/")
    assert response.status_code == 302
    assert_nothing_written(pending.paula)


def test_decisions_are_posts_with_a_csrf_token(client_as, pending):
    client = client_as(pending.nora.user, enforce_csrf_checks=True)
    assert client.get(f"/console/approvals/{pending.paula.pk}/approve/").status_code == 405
    assert client.post(f"/console/approvals/{pending.paula.pk}/approve/").status_code == 403
    assert client.post(f"/console/approvals/{pending.paula.pk}/reject/").status_code == 403
    assert_nothing_written(pending.paula)
    html = client.get("/console/approvals/").content.decode()
    assert html.count('name="csrfmiddlewaretoken"') >= 3  # logout, approve, reject


# The customer-group picker ---------------------------------------------------------------------------------


def group_select(html: str, customer) -> str:
    select = html[html.index(f'id="group-{customer.pk}"'):]
    return select[:select.index("</select>")]


def test_the_group_picker_offers_every_group_with_the_registered_one_chosen(client_as, pending):
    trade = CustomerGroup.objects.create(name="South Trade")
    html = client_as(pending.admin).get("/console/approvals/").content.decode()
    paulas = group_select(html, pending.paula)
    wholesale = CustomerGroup.objects.get(name="Wholesale North")
    assert re.findall(r'<option value="(\d*)"( selected)?>([^<]+)</option>', paulas) == [
        (str(trade.pk), "", "South Trade"), (str(wholesale.pk), " selected", "Wholesale North"),
    ]
    # Pedro registered in no group: he may stay in none, and nothing is chosen for him.
    pedros = group_select(html, pending.pedro)
    assert re.findall(r'<option value="(\d*)"( selected)?>([^<]+)</option>', pedros) == [
        ("", "", "No group"), (str(trade.pk), "", "South Trade"), (str(wholesale.pk), "", "Wholesale North"),
    ]
    assert f'<label for="group-{pending.paula.pk}">Customer group</label>' in html
    # Changing the group empties the associate choice, so the new group's associate is assigned.
    assert f'data-resets="#assign-{pending.paula.pk}"' in paulas


def test_a_manager_approves_into_another_group_and_its_associate_is_assigned(client_as, pending):
    trade = CustomerGroup.objects.create(name="North Trade")
    trade.associates.add(pending.ana)
    client = client_as(pending.nora.user)
    response = client.post(
        f"/console/approvals/{pending.paula.pk}/approve/", {"group": trade.pk, "associate": ""}
    )
    assert response.status_code == 302
    pending.paula.refresh_from_db()
    assert (pending.paula.status, pending.paula.group) == (CustomerStatus.ACTIVE, trade)
    assert list(pending.paula.assignments.values_list("associate_id", "is_primary")) == [(pending.ana.pk, True)]
    event = AuditEvent.objects.get(verb="customer.approved")
    assert event.data == {"associate_id": pending.ana.pk, "group_id": trade.pk}
    page = client.get("/console/approvals/").content.decode()
    assert "Paula Pinto is approved into North Trade, assigned to Ana Pop." in page


def test_the_chosen_groups_associate_may_be_assigned_from_another_store(client_as, pending):
    trade = CustomerGroup.objects.create(name="South Trade")
    trade.associates.add(pending.tom)
    client = client_as(pending.admin)
    client.post(f"/console/approvals/{pending.paula.pk}/approve/", {"group": trade.pk, "associate": pending.tom.pk})
    pending.paula.refresh_from_db()
    assert pending.paula.group == trade
    assert list(pending.paula.assignments.values_list("associate_id", flat=True)) == [pending.tom.pk]


def test_an_associate_outside_the_store_and_the_chosen_group_is_refused(client_as, pending):
    trade = CustomerGroup.objects.create(name="South Trade")
    client = client_as(pending.admin)
    client.post(f"/console/approvals/{pending.paula.pk}/approve/", {"group": trade.pk, "associate": pending.tom.pk})
    assert "Choose one of the listed associates." in client.get("/console/approvals/").content.decode()
    assert_nothing_written(pending.paula)
    assert pending.paula.group.name == "Wholesale North"


@pytest.mark.parametrize("group", ["999999", "not-a-group", "-1"])
def test_an_unknown_group_is_refused_and_nothing_is_written(client_as, pending, group):
    client = client_as(pending.nora.user)
    response = client.post(f"/console/approvals/{pending.paula.pk}/approve/", {"group": group, "associate": ""})
    assert response.status_code == 302
    page = client.get("/console/approvals/").content.decode()
    assert "Paula Pinto: Choose one of the listed customer groups." in page
    assert_nothing_written(pending.paula)
    assert pending.paula.group.name == "Wholesale North"


def test_keeping_the_registered_group_records_no_group_change(client_as, pending):
    wholesale = pending.paula.group
    client_as(pending.nora.user).post(
        f"/console/approvals/{pending.paula.pk}/approve/", {"group": wholesale.pk, "associate": pending.bruno.pk}
    )
    pending.paula.refresh_from_db()
    assert (pending.paula.status, pending.paula.group) == (CustomerStatus.ACTIVE, wholesale)
    assert AuditEvent.objects.get(verb="customer.approved").data == {"associate_id": pending.bruno.pk}
