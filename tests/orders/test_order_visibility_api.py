"""Who sees which order through the API (DESIGN.md §3), in both selling modes."""

import pytest

from tests.api.conftest import API, place_order, snapshot
from tests.conftest import PERSONAS
from tests.customers.test_customer_visibility_api import OPEN


@pytest.fixture
def orders(world):
    """One order per customer of the world, each in the customer's home store."""
    return {
        customer.first_name: place_order(world, f"ORD-{customer.first_name}", customer)
        for customer in (
            world.anas_customer,
            world.brunos_customer,
            world.toms_customer,
            world.tinas_customer,
            world.unassigned_south,
            world.shopper,
        )
    }


LISTS = {
    "ana": {"Alice", "Filipa"},
    "bruno": {"Beatriz"},
    "nora": {"Alice", "Beatriz", "Filipa"},
    "tom": {"Carla", "Daniel", "Eva"},
    "tina": {"Carla", "Daniel", "Eva"},
    "sam": {"Carla", "Daniel", "Eva"},
    "admin": {"Alice", "Beatriz", "Carla", "Daniel", "Eva", "Filipa"},
}


def record(orders, mode):
    return orders["Alice"] if mode == "associate" else orders["Carla"]


@pytest.mark.parametrize("who", sorted(LISTS))
def test_each_person_lists_exactly_the_orders_their_role_and_selling_mode_allow(world, orders, api_as, who):
    user = world.admin if who == "admin" else getattr(world, who).user
    response = api_as(user).get(f"{API}/orders")
    assert response.status_code == 200
    expected = {orders[name].pk for name in LISTS[who]}
    assert {item["id"] for item in response.json()["items"]} == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize("mode", ["associate", "team"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_opening_an_order_answers_by_persona_and_selling_mode(world, orders, client_for, mode, persona):
    order = record(orders, mode)
    response = client_for(mode, persona).get(f"{API}/orders/{order.pk}")
    assert response.status_code == OPEN[mode][persona]
    if response.status_code == 200:
        assert response.json()["external_id"] == order.external_id


@pytest.mark.parametrize("mode", ["associate", "team"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_filtering_orders_by_customer_never_reveals_a_hidden_customers_orders(
    world, orders, client_for, mode, persona
):
    order = record(orders, mode)
    response = client_for(mode, persona).get(f"{API}/orders", {"customer_id": order.customer_id})
    expected = OPEN[mode][persona]
    if expected in (401, 403):
        assert response.status_code == expected
        return
    assert [item["id"] for item in response.json()["items"]] == ([order.pk] if expected == 200 else [])


@pytest.mark.parametrize("mode", ["associate", "team"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_admins_change_or_refund_an_order_and_a_refusal_writes_nothing(
    world, orders, client_for, mode, persona
):
    order = record(orders, mode)
    api = client_for(mode, persona)
    before = snapshot()
    patched = api.patch(f"{API}/orders/{order.pk}", {"status": "completed"}, content_type="application/json")
    refunded = api.post(
        f"{API}/orders/{order.pk}/refunds",
        {"external_id": "R-1", "amount": "5.00"},
        content_type="application/json",
    )
    if persona == "admin":
        assert (patched.status_code, refunded.status_code) == (200, 201)
        return
    expected = 401 if persona == "anonymous" else 403
    assert (patched.status_code, refunded.status_code) == (expected, expected)
    assert snapshot() == before


def test_an_associate_sees_an_order_they_placed_for_a_customer_not_theirs(world, api_as):
    order = place_order(world, "ORD-ON-BEHALF", world.brunos_customer, placed_by_associate_id=world.ana.pk)
    ana = api_as(world.ana.user)
    assert ana.get(f"{API}/orders/{order.pk}").status_code == 200
    assert ana.get(f"{API}/customers/{world.brunos_customer.pk}").status_code == 404


def test_a_hidden_order_and_a_missing_one_answer_the_same_404(world, orders, api_as):
    bruno = api_as(world.bruno.user)
    hidden = bruno.get(f"{API}/orders/{orders['Alice'].pk}")
    missing = bruno.get(f"{API}/orders/987654321")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
