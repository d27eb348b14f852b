from shopfloor.customers.models import Customer


def test_an_admin_lists_every_customer_through_the_api(world, admin_api):
    response = admin_api.get("/api/v1/customers")
    assert response.status_code == 200
    assert response.json()["count"] == Customer.objects.count() == 6


def test_healthz_reports_the_database_and_channel_layer(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}
