"""The console's customer page as the working record, and the task pages, through HTTP."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shopfloor.clienteling.models import Task, TaskStatus
from shopfloor.customers.models import CustomerNote, CustomerPreferences

pytestmark = pytest.mark.django_db


def page(customer) -> str:
    return f"/console/customers/{customer.pk}/"


def test_the_record_shows_preferences_notes_tasks_and_the_timeline(world, client_as, make_task, place_order):
    alice = world.anas_customer
    CustomerPreferences.objects.create(customer=alice, sizes={"shoes": "38"}, brands=["Linho"], styles=["classic"])
    CustomerNote.objects.create(customer=alice, author=world.ana.user, body="Getting married in June", is_pinned=True)
    make_task(world.ana, title="Invite to the spring preview", customer_id=alice.pk)
    place_order(alice, "80.00", external_id="REC-1")
    html = client_as(world.ana.user).get(page(alice)).content.decode()
    assert "Shoes: <strong>38</strong>" in html
    assert '<span class="tag">Linho</span>' in html
    assert "Getting married in June" in html and "Pinned" in html
    assert "Invite to the spring preview" in html
    timeline = html[html.index('id="timeline-title"'):]
    # Newest first: the order came last, the note first.
    assert timeline.index("Order REC-1") < timeline.index("Task: Invite to the spring preview") \
        < timeline.index("Note by Ana Pop")
    assert "data-record-actions" in html and "data-record-panels" in html


def test_a_hidden_customer_record_is_404(world, client_as):
    assert client_as(world.ana.user).get(page(world.brunos_customer)).status_code == 404
    assert client_as(world.tom.user).get(page(world.anas_customer)).status_code == 404


def test_adding_pinning_and_deleting_a_note_from_the_page(world, client_as):
    client = client_as(world.ana.user)
    alice = world.anas_customer
    response = client.post(f"/console/customers/{alice.pk}/notes/", {"body": "Allergic to wool"})
    assert response.status_code == 302
    note = CustomerNote.objects.get(customer=alice)
    assert note.author == world.ana.user
    client.post(f"/console/customers/{alice.pk}/notes/{note.pk}/pin/")
    note.refresh_from_db()
    assert note.is_pinned
    client.post(f"/console/customers/{alice.pk}/notes/{note.pk}/delete/")
    assert not CustomerNote.objects.exists()


def test_a_colleague_cannot_delete_someone_elses_note(world, client_as):
    note = CustomerNote.objects.create(customer=world.toms_customer, author=world.tom.user, body="mine")
    response = client_as(world.tina.user).post(f"/console/customers/{world.toms_customer.pk}/notes/{note.pk}/delete/")
    assert response.status_code == 403
    assert CustomerNote.objects.filter(pk=note.pk).exists()
    html = client_as(world.tina.user).get(page(world.toms_customer)).content.decode()
    assert "mine" in html and f"/notes/{note.pk}/delete/" not in html


def test_notes_on_a_hidden_customer_are_404(world, client_as):
    response = client_as(world.bruno.user).post(f"/console/customers/{world.anas_customer.pk}/notes/", {"body": "x"})
    assert response.status_code == 404
    assert not CustomerNote.objects.exists()


def test_saving_preferences_from_the_page(world, client_as):
    alice = world.anas_customer
    response = client_as(world.ana.user).post(f"/console/customers/{alice.pk}/preferences/", {
        "sizes": "tops: M, shoes: 38", "brands": "Linho, Sol", "styles": "", "colours": "navy",
    })
    assert response.status_code == 302
    saved = CustomerPreferences.objects.get(customer=alice)
    assert saved.sizes == {"tops": "M", "shoes": "38"}
    assert saved.brands == ["Linho", "Sol"]
    assert saved.colours == ["navy"]


def test_a_malformed_size_is_explained_and_nothing_is_saved(world, client_as):
    alice = world.anas_customer
    response = client_as(world.ana.user).post(f"/console/customers/{alice.pk}/preferences/", {"sizes": "M"},
                                              follow=True)
    assert "Write “M” as “what: size”" in response.content.decode()
    assert not CustomerPreferences.objects.exists()


def test_the_timeline_pages_to_older_entries(world, client_as, place_order):
    alice = world.anas_customer
    now = timezone.now()
    for day in range(25):
        place_order(alice, "10.00", external_id=f"PG-{day:02d}", placed_at=now - timedelta(days=day))
    client = client_as(world.ana.user)
    html = client.get(page(alice)).content.decode()
    assert "Order PG-00" in html and "Order PG-19" in html and "Order PG-20" not in html
    older_link = html[html.index('href="?before='):].split('"')[1]
    older = client.get(page(alice) + older_link.replace("&amp;", "&")).content.decode()
    timeline = older[older.index('id="timeline-title"'):]
    assert "Order PG-20" in timeline and "Order PG-24" in timeline and "Order PG-19" not in timeline


def test_the_tasks_page_shows_today_and_counts(world, client_as, make_task):
    today = timezone.localdate()
    make_task(world.ana, title="Due today", due_on=today)
    make_task(world.ana, title="Late one", due_on=today - timedelta(days=1))
    make_task(world.bruno, title="Bruno's", due_on=today)
    html = client_as(world.ana.user).get("/console/tasks/").content.decode()
    assert "Due today" in html and "Late one" not in html and "Bruno's" not in html
    overdue = client_as(world.ana.user).get("/console/tasks/?view=overdue").content.decode()
    assert "Late one" in overdue and "Due today" not in overdue
    assert '<span class="nav__badge">2' in html  # today's and overdue, next to Tasks


def test_creating_a_task_from_the_console(world, client_as):
    alice = world.anas_customer
    response = client_as(world.ana.user).post("/console/tasks/new/", {
        "title": "Book a fitting", "customer": str(alice.pk), "assignee": "", "due_on": timezone.localdate(),
        "priority": "high",
    })
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.customer, task.assignee, task.priority) == (alice, world.ana, "high")


def test_a_task_form_without_a_title_is_422_and_writes_nothing(world, client_as):
    response = client_as(world.ana.user).post("/console/tasks/new/", {"title": "", "due_on": "2026-01-01",
                                                                      "priority": "normal"})
    assert response.status_code == 422
    assert not Task.objects.exists()


def test_completing_from_the_task_page_asks_for_the_outcome(world, client_as, make_task):
    task = make_task(world.ana, customer_id=world.anas_customer.pk)
    client = client_as(world.ana.user)
    page_html = client.get(f"/console/tasks/{task.pk}/").content.decode()
    assert 'name="outcome"' in page_html
    client.post(f"/console/tasks/{task.pk}/complete/", {"outcome": ""})
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    client.post(f"/console/tasks/{task.pk}/complete/", {"outcome": "Booked for Friday"})
    task.refresh_from_db()
    assert (task.status, task.outcome) == (TaskStatus.DONE, "Booked for Friday")


def test_a_hidden_task_page_is_404(world, client_as, make_task):
    task = make_task(world.ana)
    assert client_as(world.bruno.user).get(f"/console/tasks/{task.pk}/").status_code == 404
    assert client_as(world.bruno.user).post(f"/console/tasks/{task.pk}/complete/",
                                            {"outcome": "x"}).status_code == 404


def test_editing_tags_from_the_page(world, client_as):
    alice = world.anas_customer
    response = client_as(world.ana.user).post(f"/console/customers/{alice.pk}/tags/", {"tags": "wedding, vip, "})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.tags == ["vip", "wedding"]
    assert client_as(world.bruno.user).post(f"/console/customers/{alice.pk}/tags/",
                                            {"tags": "x"}).status_code == 404
    alice.refresh_from_db()
    assert alice.tags == ["vip", "wedding"]


def test_editing_a_task_from_its_page(world, client_as, make_task):
    task = make_task(world.nora, title="Old title", customer_id=world.brunos_customer.pk, assignee_id=world.bruno.pk)
    due = timezone.localdate() + timedelta(days=5)
    response = client_as(world.nora.user).post(f"/console/tasks/{task.pk}/edit/", {
        "title": "Call about the fitting", "description": "", "assignee": "", "due_on": due.isoformat(),
        "priority": "low",
    })
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.assignee, task.due_on, task.priority) == ("Call about the fitting", None, due, "low")
    assert client_as(world.ana.user).post(f"/console/tasks/{task.pk}/edit/", {"title": "x"}).status_code == 404


def test_the_dashboard_shows_todays_and_overdue_tasks(world, client_as, make_task):
    make_task(world.ana, title="Today", due_on=timezone.localdate())
    make_task(world.ana, title="Late", due_on=timezone.localdate() - timedelta(days=3))
    html = client_as(world.ana.user).get("/console/dashboard/").content.decode()
    assert 'data-tasks-today><a href="/console/tasks/?view=today">1</a>' in html
    assert '<a href="/console/tasks/?view=overdue">1 overdue</a>' in html


def test_a_manager_filters_the_tasks_by_assignee(world, client_as, make_task):
    make_task(world.ana, title="Call for Ana")
    make_task(world.bruno, title="Call for Bruno")
    make_task(world.nora, title="Call for anyone")
    client = client_as(world.nora.user)
    everyone = client.get("/console/tasks/").content.decode()
    assert "Call for Ana" in everyone and "Call for Bruno" in everyone and "Call for anyone" in everyone
    bruno = client.get(f"/console/tasks/?assignee={world.bruno.pk}").content.decode()
    assert "Call for Bruno" in bruno and "Call for Ana" not in bruno
    store = client.get("/console/tasks/?assignee=store").content.decode()
    assert "Call for anyone" in store and "Call for Bruno" not in store
    # An associate gets no filter: ?assignee= changes nothing for them.
    ana = client_as(world.ana.user).get(f"/console/tasks/?assignee={world.bruno.pk}").content.decode()
    assert "Call for Ana" in ana and 'id="task-assignee"' not in ana
