"""The panel's reads cost the same number of queries however many customers, lists and rooms there are."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shopfloor.lists import services as list_services
from shopfloor.widget.services import resolve_identity
from tests.factories import make_customer


def _queries(client, path, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path, **params).status_code == 200
    return len(captured)


def test_recent_customers_and_search_do_not_grow_with_the_customers(world, widget_as):
    ana = widget_as(world.north, email="ana@example.com")
    actor = resolve_identity(world.north, email="ana@example.com").actor()
    few_recent = _queries(ana, "/widget/customers")
    few_search = _queries(ana, "/widget/customers", q="a")
    for n in range(6):
        customer = make_customer(world.north, f"Amelia{n}", "Avila", primary=world.ana)
        list_services.create_list(actor, customer, f"List {n}")

    assert _queries(ana, "/widget/customers") == few_recent
    assert _queries(ana, "/widget/customers", q="a") == few_search


def test_a_customers_lists_cost_the_same_with_more_lists_and_rooms(world, widget_as, products):
    ana = widget_as(world.north, email="ana@example.com")
    actor = resolve_identity(world.north, email="ana@example.com").actor()
    path = f"/widget/customers/{world.anas_customer.pk}/lists"
    first = list_services.create_list(actor, world.anas_customer, "First")
    list_services.save_product(actor, [first], "LIN-1", "Hall")
    one = _queries(ana, path)
    for n in range(4):
        more = list_services.create_list(actor, world.anas_customer, f"More {n}")
        list_services.save_product(actor, [more], "LIN-1", f"Room {n}")
        list_services.save_product(actor, [more], "CER-2", f"Other room {n}")

    assert _queries(ana, path) == one
