"""The customer record through the API: notes, preferences and the timeline, visible only with the customer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shopfloor.clienteling import timeline
from shopfloor.customers.models import CustomerNote, CustomerPreferences

pytestmark = pytest.mark.django_db


def _add_note(client, customer, body="Prefers linen; size M.", **extra):
    return client.post(f"/api/v1/customers/{customer.pk}/notes", {"body": body, **extra},
                       content_type="application/json")


def test_an_associate_adds_a_note_signed_with_their_name(world, api_as):
    response = _add_note(api_as(world.ana.user), world.anas_customer, is_pinned=True)
    assert response.status_code == 201
    body = response.json()
    assert body["author"] == "Ana Pop"
    assert body["author_id"] == world.ana.user.pk
    assert body["is_pinned"] is True
    assert body["body"] == "Prefers linen; size M."


@pytest.mark.parametrize("viewer, status", [
    ("ana", 200), ("bruno", 404), ("nora", 200), ("tom", 404), ("admin", 200),
])
def test_notes_follow_the_customers_visibility_in_associate_mode(world, api_as, viewer, status):
    _add_note(api_as(world.ana.user), world.anas_customer)
    user = world.admin if viewer == "admin" else getattr(world, viewer).user
    assert api_as(user).get(f"/api/v1/customers/{world.anas_customer.pk}/notes").status_code == status
    posted = _add_note(api_as(user), world.anas_customer, body="sneaky")
    assert posted.status_code == (201 if status == 200 else 404)
    assert CustomerNote.objects.filter(body="sneaky").exists() is (status == 200)


@pytest.mark.parametrize("viewer, status", [("tom", 200), ("tina", 200), ("sam", 200), ("ana", 404)])
def test_notes_are_shared_by_the_store_in_team_mode(world, api_as, viewer, status):
    _add_note(api_as(world.tom.user), world.toms_customer)
    response = api_as(getattr(world, viewer).user).get(f"/api/v1/customers/{world.toms_customer.pk}/notes")
    assert response.status_code == status


def test_only_the_author_pins_or_deletes_a_note(world, api_as):
    note_id = _add_note(api_as(world.tom.user), world.toms_customer).json()["id"]
    url = f"/api/v1/customers/{world.toms_customer.pk}/notes/{note_id}"
    assert api_as(world.tina.user).patch(url, {"is_pinned": True}, content_type="application/json").status_code == 403
    assert api_as(world.tina.user).delete(url).status_code == 403
    pinned = api_as(world.tom.user).patch(url, {"is_pinned": True}, content_type="application/json")
    assert pinned.status_code == 200 and pinned.json()["is_pinned"] is True
    assert api_as(world.tom.user).delete(url).status_code == 204
    assert not CustomerNote.objects.filter(pk=note_id).exists()


def test_a_note_of_another_customer_is_not_found_under_this_one(world, api_as):
    note_id = _add_note(api_as(world.ana.user), world.anas_customer).json()["id"]
    response = api_as(world.ana.user).delete(f"/api/v1/customers/{world.shopper.pk}/notes/{note_id}")
    assert response.status_code == 404
    assert CustomerNote.objects.filter(pk=note_id).exists()


def test_pinned_notes_come_first_then_the_newest(world, api_as):
    client = api_as(world.ana.user)
    first = _add_note(client, world.anas_customer, body="first").json()["id"]
    pinned = _add_note(client, world.anas_customer, body="pinned", is_pinned=True).json()["id"]
    last = _add_note(client, world.anas_customer, body="last").json()["id"]
    items = client.get(f"/api/v1/customers/{world.anas_customer.pk}/notes").json()["items"]
    assert [item["id"] for item in items] == [pinned, last, first]


def test_an_empty_note_is_refused(world, api_as):
    response = _add_note(api_as(world.ana.user), world.anas_customer, body="  ")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "body"]
    assert CustomerNote.objects.count() == 0


def test_preferences_are_structured_fields_and_patching_one_keeps_the_others(world, api_as):
    client = api_as(world.ana.user)
    url = f"/api/v1/customers/{world.anas_customer.pk}/preferences"
    assert client.get(url).json() == {"customer_id": world.anas_customer.pk, "sizes": {}, "brands": [],
                                      "styles": [], "colours": [], "updated_at": None}
    saved = client.patch(url, {"sizes": {"Tops": "M", "shoes": "38"}, "brands": ["Linho", "linho", " Sol "]},
                         content_type="application/json")
    assert saved.status_code == 200
    assert saved.json()["sizes"] == {"tops": "M", "shoes": "38"}
    assert saved.json()["brands"] == ["Linho", "Sol"]
    client.patch(url, {"styles": ["classic"]}, content_type="application/json")
    again = client.get(url).json()
    assert again["brands"] == ["Linho", "Sol"]
    assert again["styles"] == ["classic"]


def test_preferences_of_a_hidden_customer_are_404_and_unchanged(world, api_as):
    url = f"/api/v1/customers/{world.anas_customer.pk}/preferences"
    response = api_as(world.bruno.user).patch(url, {"brands": ["x"]}, content_type="application/json")
    assert response.status_code == 404
    assert not CustomerPreferences.objects.exists()


def test_a_too_long_label_is_a_422(world, api_as):
    url = f"/api/v1/customers/{world.anas_customer.pk}/preferences"
    response = api_as(world.ana.user).patch(url, {"brands": ["x" * 51]}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "brands"]


def test_the_timeline_merges_orders_notes_and_tasks_newest_first_and_pages_on(world, api_as, place_order):
    client = api_as(world.ana.user)
    now = timezone.now()
    place_order(world.anas_customer, "50.00", placed_at=now - timedelta(days=3), external_id="T-1")
    _add_note(client, world.anas_customer, body="Loved the blue vase")
    client.post("/api/v1/tasks", {"title": "Send the catalogue", "customer_id": world.anas_customer.pk},
                content_type="application/json")
    url = f"/api/v1/customers/{world.anas_customer.pk}/timeline"
    body = client.get(url).json()
    kinds = [item["kind"] for item in body["items"]]
    assert kinds == ["task", "note", "order"]
    assert body["items"][2]["title"] == "Order T-1: EUR 50.00"
    assert body["next_before"] is None
    first = client.get(url, {"limit": 2}).json()
    assert [item["kind"] for item in first["items"]] == ["task", "note"]
    older = client.get(url, {"limit": 2, "before": first["next_before"]}).json()
    assert [item["kind"] for item in older["items"]] == ["order"]
    assert older["next_before"] is None


def test_the_timeline_hides_a_colleagues_private_task(world, api_as, make_task):
    """Associate mode: Bruno's manual task about a customer Ana also serves stays out of Ana's timeline."""
    shared = world.anas_customer
    shared.assignments.create(associate=world.bruno)
    make_task(world.bruno, title="Bruno's private reminder", customer_id=shared.pk)
    items = api_as(world.ana.user).get(f"/api/v1/customers/{shared.pk}/timeline").json()["items"]
    assert items == []
    items = api_as(world.nora.user).get(f"/api/v1/customers/{shared.pk}/timeline").json()["items"]
    assert [item["title"] for item in items] == ["Task: Bruno's private reminder"]


def test_the_timeline_of_a_hidden_customer_is_404(world, api_as):
    assert api_as(world.ana.user).get(f"/api/v1/customers/{world.toms_customer.pk}/timeline").status_code == 404


def test_a_time_without_zone_is_refused(world, api_as):
    response = api_as(world.ana.user).get(f"/api/v1/customers/{world.anas_customer.pk}/timeline",
                                          {"before": "2026-01-01T10:00:00"})
    assert response.status_code == 422


def test_other_apps_add_their_entries_through_register(world, api_as):
    def visits(customer, *, before, limit):
        return [timeline.TimelineEntry(when=timezone.now(), kind="chat", title=f"Chat with {customer.first_name}")]

    timeline.register(visits)
    try:
        items = api_as(world.ana.user).get(f"/api/v1/customers/{world.anas_customer.pk}/timeline").json()["items"]
    finally:
        timeline.unregister(visits)
    assert [item["title"] for item in items] == ["Chat with Alice"]
