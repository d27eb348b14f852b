"""Duplicate (items and rooms, no comments), soft delete, restore within 30 days, purge after."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from shopfloor.lists import services
from shopfloor.lists.models import CustomerList, ListComment, ListItem, ListRoom
from shopfloor.lists.tasks import purge_deleted_lists_task


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_duplicating_copies_rooms_and_items_but_not_comments(world, api_as, anas_list, as_actor):
    services.add_comment(as_actor(world.ana), anas_list, "Private thoughts")
    response = post(api_as(world.ana.user), f"/api/v1/lists/{anas_list.pk}/duplicate")
    assert response.status_code == 201
    copy = CustomerList.objects.get(pk=response.json()["id"])
    assert (copy.name, copy.customer_id, copy.created_by_id) == (
        "Living room refresh (copy)", world.anas_customer.pk, world.ana.user.pk)
    assert list(copy.rooms.values_list("name", flat=True)) == ["Living room", "Kitchen"]
    assert sorted(copy.items.values_list("room__name", "product__sku", "quantity", "note")) == sorted(
        anas_list.items.values_list("room__name", "product__sku", "quantity", "note"))
    assert not copy.comments.exists()
    assert response.json()["item_count"] == 3


def test_duplicating_for_another_visible_customer(world, api_as, anas_list):
    response = post(api_as(world.ana.user), f"/api/v1/lists/{anas_list.pk}/duplicate",
                    {"customer_id": world.shopper.pk, "name": "For Filipa"})
    assert response.status_code == 201
    assert (response.json()["customer_id"], response.json()["name"]) == (world.shopper.pk, "For Filipa")


def test_duplicating_for_a_customer_one_cannot_see_is_refused_as_unknown_and_writes_nothing(world, api_as, anas_list):
    response = post(api_as(world.ana.user), f"/api/v1/lists/{anas_list.pk}/duplicate",
                    {"customer_id": world.brunos_customer.pk})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "customer_id"]
    assert CustomerList.objects.count() == 1


def test_a_deleted_list_is_hidden_everywhere_and_listed_as_deleted(world, api_as, anas_list):
    client = api_as(world.ana.user)
    assert client.delete(f"/api/v1/lists/{anas_list.pk}").status_code == 204
    assert client.get(f"/api/v1/lists/{anas_list.pk}").status_code == 404
    assert client.get("/api/v1/lists").json()["count"] == 0
    assert post(client, f"/api/v1/lists/{anas_list.pk}/comments", {"body": "hi"}).status_code == 404
    assert client.delete(f"/api/v1/lists/{anas_list.pk}").status_code == 404
    deleted = client.get("/api/v1/lists/deleted").json()
    assert [item["id"] for item in deleted["items"]] == [anas_list.pk]
    assert deleted["items"][0]["deleted_at"] is not None
    # The rows are still there, for restoring.
    assert ListItem.objects.filter(list=anas_list).count() == 3


@pytest.mark.parametrize("who", ["ana", "nora", "admin"])
def test_the_author_a_manager_or_an_admin_restores_a_deleted_list(world, api_as, anas_list, who):
    api_as(world.ana.user).delete(f"/api/v1/lists/{anas_list.pk}")
    user = world.admin if who == "admin" else getattr(world, who).user
    response = post(api_as(user), f"/api/v1/lists/{anas_list.pk}/restore")
    assert response.status_code == 200
    assert response.json()["deleted_at"] is None
    assert api_as(world.ana.user).get(f"/api/v1/lists/{anas_list.pk}").json()["item_count"] == 3


def test_a_colleague_who_sees_the_list_but_did_not_make_it_may_not_restore_it(world, api_as, products, as_actor):
    customer_list = services.create_list(as_actor(world.tom), world.tinas_customer, "Patio")
    services.delete_list(as_actor(world.tom), customer_list)
    response = post(api_as(world.tina.user), f"/api/v1/lists/{customer_list.pk}/restore")
    assert response.status_code == 403
    assert post(api_as(world.sam.user), f"/api/v1/lists/{customer_list.pk}/restore").status_code == 200


def test_an_associate_who_cannot_see_the_customer_cannot_restore_or_even_find_it(world, api_as, anas_list):
    api_as(world.ana.user).delete(f"/api/v1/lists/{anas_list.pk}")
    assert post(api_as(world.bruno.user), f"/api/v1/lists/{anas_list.pk}/restore").status_code == 404
    assert api_as(world.bruno.user).get("/api/v1/lists/deleted").json()["count"] == 0


def test_restoring_after_30_days_is_no_longer_possible(world, api_as, anas_list):
    api_as(world.ana.user).delete(f"/api/v1/lists/{anas_list.pk}")
    CustomerList.objects.filter(pk=anas_list.pk).update(deleted_at=timezone.now() - timedelta(days=30, minutes=1))
    assert post(api_as(world.ana.user), f"/api/v1/lists/{anas_list.pk}/restore").status_code == 404


def test_the_purge_job_removes_lists_deleted_more_than_30_days_ago_and_nothing_else(world, as_actor, anas_list):
    ana = as_actor(world.ana)
    services.add_comment(ana, anas_list, "Gone with it")
    recent = services.duplicate_list(ana, anas_list)
    kept = services.duplicate_list(ana, anas_list, name="Kept")
    now = timezone.now()
    services.delete_list(ana, anas_list)
    services.delete_list(ana, recent)
    CustomerList.objects.filter(pk=anas_list.pk).update(deleted_at=now - timedelta(days=31))
    CustomerList.objects.filter(pk=recent.pk).update(deleted_at=now - timedelta(days=29))

    assert purge_deleted_lists_task.call() == 1
    assert set(CustomerList.objects.values_list("pk", flat=True)) == {recent.pk, kept.pk}
    assert not ListItem.objects.filter(list_id=anas_list.pk).exists()
    assert not ListRoom.objects.filter(list_id=anas_list.pk).exists()
    assert not ListComment.objects.filter(list_id=anas_list.pk).exists()
    # Idempotent: a second run finds nothing; 30 days later the other one goes too.
    assert services.purge_deleted_lists() == 0
    assert services.purge_deleted_lists(now + timedelta(days=2)) == 1
    assert list(CustomerList.objects.values_list("pk", flat=True)) == [kept.pk]
