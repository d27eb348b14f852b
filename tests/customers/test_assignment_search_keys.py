"""Each assignment's copy of its customer's search columns (CustomerAssignment.search_*) stays equal to the
customer's after every writer: the API's create, update, bulk upsert and approval, and any ORM or SQL path.

The database's triggers (customers migration 0005) keep it; these tests fail if a later migration drops
them (on SQLite, a migration that remakes either table does).
"""

from django.db import transaction
from django.db.models import F

from shopfloor.customers.models import Customer, CustomerAssignment, CustomerGroup, CustomerStatus
from shopfloor.customers.services import refresh_search_fields
from tests.api.conftest import API
from tests.factories import make_customer

KEYS = ("search_first_name", "search_last_name", "search_email", "search_phone")


def drifted() -> list[CustomerAssignment]:
    """Assignments whose keys differ from their customer's."""
    return list(CustomerAssignment.objects.exclude(**{key: F(f"customer__{key}") for key in KEYS}))


def keys_of(customer_id: int) -> set[tuple]:
    """The keys on each of the customer's assignments, with the associate."""
    return set(CustomerAssignment.objects.filter(customer_id=customer_id).values_list("associate_id", *KEYS))


def names_found(api, query: str) -> list[str]:
    response = api.get(f"{API}/customers", {"q": query})
    assert response.status_code == 200
    return [f"{item['first_name']} {item['last_name']}" for item in response.json()["items"]]


def test_a_customer_an_associate_creates_carries_its_keys_on_their_assignment(world, api_as):
    api = api_as(world.ana.user)
    response = api.post(f"{API}/customers", {"store_id": world.north.pk, "first_name": " Óscar ",
                                             "last_name": "Lemos", "email": "Oscar.Lemos@Example.com",
                                             "phone": "+351 912 000 111"}, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert keys_of(response.json()["id"]) == {(world.ana.pk, "óscar", "lemos", "oscar.lemos@example.com", "912000111")}
    assert names_found(api, "lem") == ["Óscar Lemos"]
    assert drifted() == []


def test_changing_a_name_email_or_phone_changes_the_keys_of_every_assignment(world, admin_api, api_as):
    customer = make_customer(world.north, "Rita", "Rocha", primary=world.ana, others=[world.bruno])
    response = admin_api.patch(f"{API}/customers/{customer.pk}", {"last_name": "Novais"},
                               content_type="application/json")
    assert response.status_code == 200
    assert {row[2] for row in keys_of(customer.pk)} == {"novais"}
    assert names_found(api_as(world.ana.user), "nova") == ["Rita Novais"]
    assert names_found(api_as(world.bruno.user), "roch") == []
    admin_api.patch(f"{API}/customers/{customer.pk}", {"first_name": "Rute", "email": "rute@example.pt",
                                                       "phone": "+351 913 555 000"}, content_type="application/json")
    assert keys_of(customer.pk) == {(associate.pk, "rute", "novais", "rute@example.pt", "913555000")
                                    for associate in (world.ana, world.bruno)}
    assert names_found(api_as(world.bruno.user), "913 555") == ["Rute Novais"]
    assert drifted() == []


def test_adding_removing_and_making_primary_keeps_the_keys_on_the_assignments_that_remain(world, admin_api, api_as):
    customer = make_customer(world.north, "Vera", "Vaz", primary=world.ana)
    patch = {"assigned_associate_ids": [world.ana.pk, world.bruno.pk], "primary_associate_id": world.bruno.pk}
    assert admin_api.patch(f"{API}/customers/{customer.pk}", patch, content_type="application/json").status_code == 200
    assert {row[0] for row in keys_of(customer.pk)} == {world.ana.pk, world.bruno.pk}
    assert names_found(api_as(world.bruno.user), "vaz") == ["Vera Vaz"]
    patch = {"assigned_associate_ids": [world.bruno.pk], "last_name": "Vieira"}
    assert admin_api.patch(f"{API}/customers/{customer.pk}", patch, content_type="application/json").status_code == 200
    assert keys_of(customer.pk) == {(world.bruno.pk, "vera", "vieira", customer.search_email, "")}
    assert names_found(api_as(world.ana.user), "vie") == []
    assert names_found(api_as(world.bruno.user), "vie") == ["Vera Vieira"]
    assert drifted() == []


def test_the_erps_bulk_upsert_writes_the_keys_when_it_creates_and_when_it_updates(world, admin_api, api_as):
    row = {"external_id": "ERP-7", "store_id": world.north.pk, "first_name": "Hugo", "last_name": "Horta",
           "email": "hugo@example.com", "assigned_associate_ids": [world.ana.pk, world.bruno.pk]}
    response = admin_api.post(f"{API}/customers/bulk", {"customers": [row]}, content_type="application/json")
    assert response.json()["created"] == 1
    customer = Customer.objects.get(external_id="ERP-7")
    assert {row[2] for row in keys_of(customer.pk)} == {"horta"}
    changed = {**row, "last_name": "Henriques", "phone": "+351 914 000 222", "assigned_associate_ids": [world.ana.pk]}
    response = admin_api.post(f"{API}/customers/bulk", {"customers": [changed]}, content_type="application/json")
    assert response.json()["updated"] == 1
    assert keys_of(customer.pk) == {(world.ana.pk, "hugo", "henriques", "hugo@example.com", "914000222")}
    assert names_found(api_as(world.ana.user), "henr") == ["Hugo Henriques"]
    assert drifted() == []


def test_approving_a_customer_into_a_group_gives_the_groups_associate_the_keys(world, admin_api, api_as):
    group = CustomerGroup.objects.create(name="Trade")
    group.associates.set([world.bruno])
    pending = make_customer(world.north, "Paula", "Pinto", status=CustomerStatus.PENDING)
    response = admin_api.post(f"{API}/customers/{pending.pk}/approve", {"group_id": group.pk},
                              content_type="application/json")
    assert response.status_code == 200
    assert keys_of(pending.pk) == {(world.bruno.pk, "paula", "pinto", pending.search_email, "")}
    assert names_found(api_as(world.bruno.user), "pin") == ["Paula Pinto"]


def test_bulk_writes_and_stale_instances_cannot_leave_keys_behind(world):
    customers = [make_customer(world.north, f"Nome{n}", f"Apelido{n}") for n in range(3)]
    # bulk_create, as demo data and imports write assignments.
    CustomerAssignment.objects.bulk_create([CustomerAssignment(customer=c, associate=world.ana) for c in customers])
    assert drifted() == [] and {row[2] for row in keys_of(customers[0].pk)} == {"apelido0"}
    # An assignment read before its customer changed, then saved whole.
    stale = CustomerAssignment.objects.get(customer=customers[0])
    customers[0].last_name = "Outro"
    refresh_search_fields(customers[0])
    customers[0].save()
    stale.is_primary = True
    stale.save()
    assert {row[2] for row in keys_of(customers[0].pk)} == {"outro"}
    # A queryset update of the customers' search columns, and a move of an assignment to another customer.
    Customer.objects.filter(pk=customers[1].pk).update(search_last_name="zeta")
    moved_to = make_customer(world.north, "Nova", "Zeta")
    Customer.objects.filter(pk=moved_to.pk).update(search_phone="1234")
    CustomerAssignment.objects.filter(customer=customers[2]).update(customer=moved_to)
    assert keys_of(customers[1].pk) == {(world.ana.pk, "nome1", "zeta", customers[1].search_email, "")}
    assert keys_of(moved_to.pk) == {(world.ana.pk, "nova", "zeta", moved_to.search_email, "1234")}
    assert drifted() == []


def test_an_assignment_written_before_its_customer_in_the_same_transaction_gets_its_keys(world):
    with transaction.atomic():
        # Foreign keys are checked at commit, so a loader may write the assignment first.
        next_id = (Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 100
        CustomerAssignment.objects.create(customer_id=next_id, associate=world.ana)
        customer = Customer(pk=next_id, store=world.north, first_name="Ida", last_name="Ilha")
        refresh_search_fields(customer)
        customer.save(force_insert=True)
    assert keys_of(next_id) == {(world.ana.pk, "ida", "ilha", "", "")}
