"""The API's customer representation: the list reads rep codes and associates in bulk, the same as one customer."""

from shopfloor.customers.models import CustomerAssignment, CustomerRepCode
from tests.factories import make_customer


def test_the_list_shows_each_customer_as_the_customer_endpoint_does(world, api_as):
    # Assigned before the primary, so "primary first" is not the order of creation.
    customer = make_customer(world.south, "Zelda", "Zulu", others=[world.tina])
    CustomerAssignment.objects.create(customer=customer, associate=world.tom, is_primary=True)
    CustomerAssignment.objects.create(customer=customer, associate=world.sam)
    CustomerRepCode.objects.bulk_create(
        [CustomerRepCode(customer=customer, code=code) for code in ("R9", "A1", "M5")]
    )
    client = api_as(world.admin)

    listed = client.get("/api/v1/customers", {"q": "zelda"}).json()["items"]
    alone = client.get(f"/api/v1/customers/{customer.pk}").json()

    assert listed == [alone]
    assert alone["rep_codes"] == ["A1", "M5", "R9"]
    assert alone["assigned_associate_ids"] == [world.tom.pk, world.tina.pk, world.sam.pk]
    assert alone["primary_associate_id"] == world.tom.pk


def test_a_customer_without_codes_or_associates_shows_empty_lists(world, api_as):
    listed = api_as(world.admin).get("/api/v1/customers", {"q": "eva"}).json()["items"]

    assert [(item["id"], item["rep_codes"], item["assigned_associate_ids"], item["primary_associate_id"])
            for item in listed] == [(world.unassigned_south.pk, [], [], None)]
