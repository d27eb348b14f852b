"""POST /orders: recording an order once per external_id, its totals and its attribution (DESIGN.md §4)."""

import threading

import pytest
from django.db import connection

from shopfloor.accounts.models import Associate
from shopfloor.catalog.models import Product
from shopfloor.orders.models import Order, OrderLine
from tests.api.conftest import API, snapshot
from tests.conftest import bearer_client


def order_body(world, external_id="WEB-1001", **fields):
    return {
        "external_id": external_id,
        "customer_id": world.anas_customer.pk,
        "lines": [
            {"sku": "SOFA-1", "quantity": 2, "unit_price": "12.50"},
            {"sku": "LAMP-2", "quantity": 1, "unit_price": "5"},
        ],
        "discount": "3.00",
        "placed_at": "2025-03-04T10:15:00+01:00",
        **fields,
    }


def post(api, body, **headers):
    return api.post(f"{API}/orders", body, content_type="application/json", headers=headers)


def test_an_order_is_recorded_with_its_lines_totals_as_two_place_decimals_and_its_time_in_utc(
    world, admin_api
):
    Product.objects.create(sku="SOFA-1", name="Sofa Oslo", price="12.50")
    response = post(admin_api, order_body(world))
    assert response.status_code == 201
    body = response.json()
    assert body["external_id"] == "WEB-1001"
    assert body["store_id"] == world.north.pk
    assert body["currency"] == "EUR"
    assert body["status"] == "placed"
    assert body["lines"] == [
        {"sku": "SOFA-1", "name": "Sofa Oslo", "quantity": 2, "unit_price": "12.50", "line_total": "25.00"},
        {"sku": "LAMP-2", "name": "", "quantity": 1, "unit_price": "5.00", "line_total": "5.00"},
    ]
    assert (body["subtotal"], body["discount"], body["total"], body["refunded"]) == (
        "30.00",
        "3.00",
        "27.00",
        "0.00",
    )
    assert body["placed_at"] == "2025-03-04T09:15:00Z"
    assert Order.objects.count() == 1
    assert OrderLine.objects.count() == 2


def test_the_same_external_id_again_answers_the_first_order_and_records_nothing_new(world, admin_api):
    first = post(admin_api, order_body(world))
    before = snapshot()
    again = post(
        admin_api,
        order_body(world, discount="0.00", lines=[{"sku": "X", "quantity": 9, "unit_price": "1.00"}]),
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert snapshot() == before


def test_an_order_can_name_its_customer_by_the_erps_external_id(world, admin_api):
    world.toms_customer.external_id = "ERP-C-7"
    world.toms_customer.save()
    body = order_body(world, customer_id=None, customer_external_id="ERP-C-7", discount="0")
    response = post(admin_api, body)
    assert response.status_code == 201
    assert (response.json()["customer_id"], response.json()["store_id"]) == (
        world.toms_customer.pk,
        world.south.pk,
    )


def test_in_an_associate_mode_store_the_primary_associate_is_credited(world, admin_api):
    response = post(admin_api, order_body(world))
    attribution = response.json()["attribution"]
    assert attribution["rule"] == "primary_associate"
    assert (attribution["associate_id"], attribution["store_id"], attribution["influencer_id"]) == (
        world.ana.pk,
        world.north.pk,
        None,
    )
    assert attribution["evidence"]["associate_id"] == world.ana.pk
    assert attribution["evidence"]["customer_id"] == world.anas_customer.pk
    assert attribution["evidence"]["summary"] == "Ana Pop is Alice Almeida's primary associate."


def test_in_a_team_mode_store_the_store_is_credited_and_the_primary_associate_kept_as_influencer(
    world, admin_api
):
    response = post(admin_api, order_body(world, customer_id=world.toms_customer.pk))
    attribution = response.json()["attribution"]
    assert attribution["rule"] == "primary_associate"
    assert (attribution["associate_id"], attribution["store_id"], attribution["influencer_id"]) == (
        None,
        world.south.pk,
        world.tom.pk,
    )
    assert attribution["evidence"]["team_mode"] is True
    assert attribution["evidence"]["influencer_id"] == world.tom.pk


def test_without_a_primary_associate_the_customers_home_store_is_credited(world, admin_api):
    response = post(admin_api, order_body(world, customer_id=world.unassigned_south.pk))
    attribution = response.json()["attribution"]
    assert attribution["rule"] == "home_store"
    assert (attribution["associate_id"], attribution["store_id"], attribution["influencer_id"]) == (
        None,
        world.south.pk,
        None,
    )
    assert attribution["evidence"]["store_id"] == world.south.pk
    assert attribution["evidence"]["summary"] == (
        "South Store is Eva Esteves's home store; no active primary associate."
    )


def test_an_inactive_primary_associate_is_skipped_for_the_home_store(world, admin_api):
    Associate.objects.filter(pk=world.ana.pk).update(active=False)
    attribution = post(admin_api, order_body(world)).json()["attribution"]
    assert (attribution["rule"], attribution["associate_id"], attribution["store_id"]) == (
        "home_store",
        None,
        world.north.pk,
    )


def test_an_order_without_a_customer_is_credited_to_nobody(world, admin_api):
    response = post(admin_api, order_body(world, customer_id=None, store_id=world.south.pk))
    assert response.status_code == 201
    assert response.json()["customer_id"] is None
    assert response.json()["attribution"] == {
        "associate_id": None,
        "store_id": None,
        "influencer_id": None,
        "rule": "none",
        "evidence": {"summary": "No rule matched."},
    }


def test_attribution_is_decided_once_when_the_order_arrives(world, admin_api):
    first = post(admin_api, order_body(world)).json()
    world.anas_customer.assignments.update(is_primary=False)
    again = post(admin_api, order_body(world)).json()
    assert again["attribution"] == first["attribution"]
    assert admin_api.get(f"{API}/orders/{first['id']}").json()["attribution"]["associate_id"] == world.ana.pk


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"customer_id": 987654}, ["body", "customer_id"]),
        ({"customer_id": None, "customer_external_id": "NOPE"}, ["body", "customer_external_id"]),
        ({"customer_id": None}, ["body", "store_id"]),
        ({"store_id": 987654}, ["body", "store_id"]),
        ({"currency": "USD"}, ["body", "currency"]),
        ({"currency": "euro"}, ["body", "currency"]),
        ({"discount": "31.00"}, ["body", "discount"]),
        ({"discount": "-1"}, ["body", "discount"]),
        ({"lines": []}, ["body", "lines"]),
        ({"lines": [{"sku": "A", "quantity": 0, "unit_price": "1.00"}]}, ["body", "lines", 0, "quantity"]),
        ({"lines": [{"sku": "A", "quantity": 1, "unit_price": "-1.00"}]}, ["body", "lines", 0, "unit_price"]),
        ({"lines": [{"sku": "A", "quantity": 1, "unit_price": "1.001"}]}, ["body", "lines", 0, "unit_price"]),
        (
            {"lines": [{"sku": "A", "quantity": 1_000_000, "unit_price": "9999999999.99"}]},
            ["body", "lines", 0, "quantity"],
        ),
        ({"lines": [{"sku": "A", "quantity": 1, "unit_price": "9999999999.99"}] * 2}, ["body", "lines"]),
        ({"status": "shipped"}, ["body", "status"]),
        ({"placed_by_associate_id": 987654}, ["body", "placed_by_associate_id"]),
        ({"placed_at": "2025-03-04T10:15:00"}, ["body", "placed_at"]),
        ({"placed_at": "9999-12-31T23:59:59-14:00"}, ["body", "placed_at"]),
        ({"external_id": ""}, ["body", "external_id"]),
        ({"customer_id": 2**64}, ["body", "customer_id"]),
    ],
)
def test_an_invalid_order_is_refused_naming_the_field_and_nothing_is_written(world, admin_api, change, loc):
    before = snapshot()
    response = post(admin_api, order_body(world, **change))
    assert response.status_code == 422, response.content
    assert loc in [error["loc"] for error in response.json()["detail"]]
    assert all(error["msg"] for error in response.json()["detail"])
    assert snapshot() == before


@pytest.mark.parametrize("who", ["ana", "nora", "shopper"])
def test_only_admins_record_orders(world, api_as, who):
    api = api_as(world.shopper.user if who == "shopper" else getattr(world, who).user)
    before = snapshot()
    assert post(api, order_body(world)).status_code == 403
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_order_record_it_once(world, admin_user):
    clients = [bearer_client(admin_user) for _ in range(6)]
    barrier = threading.Barrier(len(clients))
    answers = []

    def deliver(api):
        try:
            barrier.wait()
            response = post(api, order_body(world))
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(api,)) for api in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Order.objects.count() == 1
    assert sorted(status for status, _ in answers) == [200, 200, 200, 200, 200, 201]
    assert {order_id for _, order_id in answers} == {Order.objects.get().pk}
