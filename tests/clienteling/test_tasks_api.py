"""Tasks through /api/v1/tasks: create, visibility per selling mode (hidden → 404), complete, snooze, delete."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shopfloor.clienteling.models import Task, TaskStatus
from shopfloor.comms.models import Notification

pytestmark = pytest.mark.django_db


def test_an_associate_creates_a_task_for_their_customer_assigned_to_themselves(world, api_as):
    response = api_as(world.ana.user).post("/api/v1/tasks", {
        "title": "Call about the linen sofa", "customer_id": world.anas_customer.pk, "priority": "high",
    }, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert body["assignee_id"] == world.ana.pk
    assert body["store_id"] == world.north.pk
    assert body["customer_id"] == world.anas_customer.pk
    assert body["status"] == "open"
    assert body["source"] == "manual"
    assert body["due_on"] == timezone.localdate().isoformat()


def test_a_task_for_a_customer_the_associate_does_not_see_is_refused_and_nothing_is_written(world, api_as):
    response = api_as(world.ana.user).post("/api/v1/tasks", {
        "title": "Snoop", "customer_id": world.brunos_customer.pk,
    }, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "customer_id"]
    assert Task.objects.count() == 0


def test_a_blank_title_is_a_422_naming_the_field(world, api_as):
    response = api_as(world.ana.user).post("/api/v1/tasks", {"title": "   "}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "title"]
    assert Task.objects.count() == 0


@pytest.mark.parametrize("viewer, visible", [
    ("ana", True),      # the author
    ("bruno", False),   # a colleague in associate mode
    ("nora", True),     # the store's manager
    ("tom", False),     # another store
    ("sam", False),     # another store's manager
    ("admin", True),
])
def test_a_manual_task_in_associate_mode_is_seen_by_its_author_the_manager_and_admins(world, api_as, make_task,
                                                                                      viewer, visible):
    task = make_task(world.ana, customer_id=world.anas_customer.pk)
    user = world.admin if viewer == "admin" else getattr(world, viewer).user
    response = api_as(user).get(f"/api/v1/tasks/{task.pk}")
    assert response.status_code == (200 if visible else 404)
    listed = [item["id"] for item in api_as(user).get("/api/v1/tasks").json()["items"]]
    assert (task.pk in listed) is visible


@pytest.mark.parametrize("viewer, visible", [
    ("tom", True), ("tina", True), ("sam", True), ("ana", False), ("nora", False), ("admin", True),
])
def test_a_manual_task_in_team_mode_is_seen_by_every_associate_of_the_store(world, api_as, make_task,
                                                                             viewer, visible):
    task = make_task(world.tom, customer_id=world.toms_customer.pk)
    user = world.admin if viewer == "admin" else getattr(world, viewer).user
    assert api_as(user).get(f"/api/v1/tasks/{task.pk}").status_code == (200 if visible else 404)


def test_the_assignee_sees_a_task_written_for_them_and_is_notified(world, api_as):
    response = api_as(world.nora.user).post("/api/v1/tasks", {
        "title": "Follow up the wedding list", "customer_id": world.brunos_customer.pk,
        "assignee_id": world.bruno.pk,
    }, content_type="application/json")
    assert response.status_code == 201
    task_id = response.json()["id"]
    assert api_as(world.bruno.user).get(f"/api/v1/tasks/{task_id}").status_code == 200
    assert api_as(world.ana.user).get(f"/api/v1/tasks/{task_id}").status_code == 404
    notification = Notification.objects.get(user=world.bruno.user)
    assert notification.kind == "task"
    assert notification.url == f"/console/tasks/{task_id}/"
    assert "Nora Manager" in notification.body


def test_a_task_cannot_be_given_to_an_associate_who_does_not_see_the_customer(world, api_as):
    response = api_as(world.nora.user).post("/api/v1/tasks", {
        "title": "Wrong person", "customer_id": world.anas_customer.pk, "assignee_id": world.bruno.pk,
    }, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "assignee_id"]


def test_an_associate_cannot_assign_to_another_stores_associate(world, api_as):
    response = api_as(world.ana.user).post("/api/v1/tasks", {"title": "x", "assignee_id": world.tom.pk},
                                           content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "assignee_id"]


def test_completing_needs_an_outcome_and_records_it(world, api_as, make_task):
    task = make_task(world.ana, customer_id=world.anas_customer.pk)
    client = api_as(world.ana.user)
    refused = client.post(f"/api/v1/tasks/{task.pk}/complete", {"outcome": " "}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "outcome"]
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    done = client.post(f"/api/v1/tasks/{task.pk}/complete", {"outcome": "She will come on Saturday."},
                       content_type="application/json")
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    assert done.json()["outcome"] == "She will come on Saturday."
    assert done.json()["completed_at"] is not None


def test_a_hidden_task_cannot_be_completed_snoozed_or_deleted(world, api_as, make_task):
    task = make_task(world.ana, customer_id=world.anas_customer.pk)
    client = api_as(world.bruno.user)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert client.post(f"/api/v1/tasks/{task.pk}/complete", {"outcome": "x"},
                       content_type="application/json").status_code == 404
    assert client.post(f"/api/v1/tasks/{task.pk}/snooze", {"until": tomorrow},
                       content_type="application/json").status_code == 404
    assert client.delete(f"/api/v1/tasks/{task.pk}").status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_views_today_overdue_upcoming_and_a_snoozed_task_moving_between_them(world, api_as, make_task):
    today = timezone.localdate()
    due_today = make_task(world.ana, title="today", due_on=today)
    late = make_task(world.ana, title="late", due_on=today - timedelta(days=2))
    later = make_task(world.ana, title="later", due_on=today + timedelta(days=3))
    client = api_as(world.ana.user)

    def ids(view):
        return [item["id"] for item in client.get(f"/api/v1/tasks?view={view}").json()["items"]]

    assert ids("today") == [due_today.pk]
    assert ids("overdue") == [late.pk]
    assert ids("upcoming") == [later.pk]
    snoozed = client.post(f"/api/v1/tasks/{late.pk}/snooze", {"until": (today + timedelta(days=1)).isoformat()},
                          content_type="application/json")
    assert snoozed.status_code == 200
    assert snoozed.json()["status"] == "snoozed"
    assert ids("overdue") == []
    assert ids("upcoming") == [late.pk, later.pk]
    assert client.get("/api/v1/tasks?view=someday").status_code == 422


def test_snoozing_into_the_past_is_refused(world, api_as, make_task):
    task = make_task(world.ana)
    response = api_as(world.ana.user).post(f"/api/v1/tasks/{task.pk}/snooze",
                                           {"until": timezone.localdate().isoformat()},
                                           content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "until"]


def test_only_the_author_manager_or_admin_deletes_a_manual_task(world, api_as, make_task):
    task = make_task(world.tom, customer_id=world.toms_customer.pk)
    assert api_as(world.tina.user).delete(f"/api/v1/tasks/{task.pk}").status_code == 403
    assert Task.objects.filter(pk=task.pk).exists()
    assert api_as(world.sam.user).delete(f"/api/v1/tasks/{task.pk}").status_code == 204
    assert not Task.objects.filter(pk=task.pk).exists()


def test_customers_and_anonymous_callers_get_no_tasks(world, api_as, make_task, client):
    make_task(world.ana, customer_id=world.shopper.pk)
    assert api_as(world.shopper.user).get("/api/v1/tasks").status_code == 403
    assert client.get("/api/v1/tasks").status_code == 401
