"""POST /orders retried: the external id is looked up only when the insert is refused or the body is.

A new order is the common case, so `record_order` does not look the external id up first; these
check that a retry still answers the first order whatever its body, and that nothing is written.
"""

import pytest

from tests.api.conftest import API, snapshot


def order_body(world, external_id="WEB-RETRY-1", **fields):
    return {
        "external_id": external_id,
        "customer_id": world.anas_customer.pk,
        "lines": [{"sku": "SOFA-1", "quantity": 2, "unit_price": "12.50"}],
        "discount": "3.00",
        **fields,
    }


def post(api, body):
    return api.post(f"{API}/orders", body, content_type="application/json")


@pytest.mark.parametrize(
    "refused",
    [{"customer_id": 999_999}, {"discount": "9999.00"}, {"store_id": 999_999, "customer_id": None}],
)
def test_a_retry_whose_body_would_be_refused_still_answers_the_first_order(world, admin_api, refused):
    first = post(admin_api, order_body(world))
    before = snapshot()
    again = post(admin_api, order_body(world, **refused))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert snapshot() == before


def test_a_retry_with_another_valid_body_answers_the_first_order_and_writes_nothing(world, admin_api):
    first = post(admin_api, order_body(world))
    before = snapshot()
    again = post(
        admin_api, order_body(world, discount="0.00", lines=[{"sku": "X", "quantity": 9, "unit_price": "1.00"}])
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert snapshot() == before


def test_a_refused_body_with_a_new_external_id_is_refused_and_writes_nothing(world, admin_api):
    before = snapshot()
    response = post(admin_api, order_body(world, customer_id=999_999))
    assert response.status_code == 422
    assert "customer_id" in str(response.json()["detail"])
    assert snapshot() == before
