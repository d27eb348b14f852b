"""The automated task rules: each occasion, who gets the task, the suggested message, idempotency, the job,
the command and the admin API."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from shopfloor.catalog.models import Product, ProductChange
from shopfloor.catalog.services import upsert_product
from shopfloor.clienteling import rules
from shopfloor.clienteling.models import RuleKey, Task, TaskRule
from shopfloor.comms.models import Notification
from shopfloor.customers.models import CustomerAssignment
from shopfloor.lists.models import CustomerList, ListItem, ListRoom
from shopfloor.lookbooks.models import Lookbook

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 10)


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def enable(*keys, **tuning):
    by_key = rules.ensure_rules()
    for key in keys:
        TaskRule.objects.filter(pk=by_key[key].pk).update(enabled=True, **tuning)


def tasks_of(key):
    return list(Task.objects.filter(source=key).order_by("customer_id", "id"))


def test_rules_start_disabled_and_running_them_makes_nothing(world):
    assert rules.run_rules(today=TODAY).total_created == 0
    assert TaskRule.objects.count() == len(RuleKey.values)
    assert not TaskRule.objects.filter(enabled=True).exists()


def test_birthday_within_the_next_days_goes_to_the_primary_associate_with_a_message(world):
    alice = world.anas_customer
    alice.birthday = date(1990, 6, 14)
    alice.save()
    world.brunos_customer.birthday = date(1985, 6, 30)  # outside the 7 days
    world.brunos_customer.save()
    enable(RuleKey.BIRTHDAY)
    result = rules.run_rules(today=TODAY)
    assert result.created == {"birthday": 1}
    task = Task.objects.get()
    assert (task.customer, task.assignee, task.store, task.occasion) == (alice, world.ana, world.north, "2026")
    assert task.title == "Birthday: Alice Almeida, 14 Jun 2026"
    assert task.due_on == date(2026, 6, 13)  # due_in_days=1 before the birthday
    assert task.suggested_message.startswith("Happy birthday, Alice! Everyone at North Store")
    assert task.suggested_message.endswith("— Ana Pop")


def test_a_birthday_across_new_year_counts_for_the_next_year(world):
    alice = world.anas_customer
    alice.birthday = date(2000, 1, 2)
    alice.save()
    enable(RuleKey.BIRTHDAY)
    rules.run_rules(today=date(2026, 12, 28))
    assert Task.objects.get().occasion == "2027"
    rules.run_rules(today=date(2027, 1, 1))
    assert Task.objects.count() == 1


def test_a_29_february_birthday_is_remembered_on_the_28th_in_other_years(world):
    alice = world.anas_customer
    alice.birthday = date(2000, 2, 29)
    alice.save()
    enable(RuleKey.BIRTHDAY, days=0, due_in_days=0)
    rules.run_rules(today=date(2027, 2, 28))
    assert Task.objects.get().due_on == date(2027, 2, 28)


def test_in_team_mode_a_rule_task_goes_to_the_store(world):
    carla = world.toms_customer
    carla.birthday = date(1990, 6, 12)
    carla.save()
    enable(RuleKey.BIRTHDAY)
    rules.run_rules(today=TODAY)
    task = Task.objects.get()
    assert (task.assignee, task.store) == (None, world.south)
    assert task.suggested_message.endswith("— South Store")


def test_a_customer_without_an_associate_in_associate_mode_is_the_stores(world):
    CustomerAssignment.objects.filter(customer=world.anas_customer).delete()
    world.anas_customer.birthday = date(1990, 6, 12)
    world.anas_customer.save()
    enable(RuleKey.BIRTHDAY)
    rules.run_rules(today=TODAY)
    task = Task.objects.get()
    assert (task.assignee, task.store) == (None, world.north)


def test_running_twice_the_same_day_or_the_next_makes_no_second_task(world):
    world.anas_customer.birthday = date(1990, 6, 14)
    world.anas_customer.save()
    enable(RuleKey.BIRTHDAY)
    assert rules.run_rules(today=TODAY).total_created == 1
    assert rules.run_rules(today=TODAY).total_created == 0
    assert rules.run_rules(today=TODAY + timedelta(days=1)).total_created == 0
    assert Task.objects.count() == 1


def test_the_database_refuses_a_second_task_for_one_occasion(world):
    enable(RuleKey.BIRTHDAY)
    rule = TaskRule.objects.get(key=RuleKey.BIRTHDAY)
    fields = {"title": "x", "customer": world.anas_customer, "store": world.north, "due_on": TODAY,
              "source": rule.key, "rule": rule, "occasion": "2026"}
    Task.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.create(**fields)


def test_win_back_when_the_last_purchase_is_n_days_old(world, place_order):
    enable(RuleKey.WIN_BACK, days=90)
    place_order(world.anas_customer, placed_at=at(TODAY - timedelta(days=90)))
    place_order(world.brunos_customer, placed_at=at(TODAY - timedelta(days=120)))
    place_order(world.brunos_customer, placed_at=at(TODAY - timedelta(days=10)))  # bought again: not lapsed
    place_order(world.shopper, placed_at=at(TODAY - timedelta(days=200)))  # lapsed long ago: not caught up
    rules.run_rules(today=TODAY)
    task = Task.objects.get()
    assert task.customer == world.anas_customer
    assert task.occasion == (TODAY - timedelta(days=90)).isoformat()
    assert task.title == "Win back Alice Almeida: no purchase since 12 Mar 2026"


def test_post_purchase_follow_up_goes_to_the_associate_credited_with_the_order(world, place_order):
    enable(RuleKey.POST_PURCHASE, days=3)
    order = place_order(world.shopper, placed_at=at(TODAY - timedelta(days=3)))
    place_order(world.brunos_customer, placed_at=at(TODAY - timedelta(days=1)))  # too recent
    rules.run_rules(today=TODAY)
    task = Task.objects.get()
    assert (task.customer, task.assignee, task.occasion) == (world.shopper, world.ana, f"order-{order.pk}")


def test_a_missed_day_is_caught_up_once(world, place_order):
    enable(RuleKey.POST_PURCHASE, days=3, catch_up_days=7)
    place_order(world.anas_customer, placed_at=at(TODAY - timedelta(days=5)))
    assert rules.run_rules(today=TODAY).total_created == 1
    assert rules.run_rules(today=TODAY + timedelta(days=1)).total_created == 0


def test_purchase_anniversary_of_the_first_purchase(world, place_order):
    enable(RuleKey.PURCHASE_ANNIVERSARY, days=7)
    place_order(world.anas_customer, placed_at=at(date(2024, 6, 12)))
    place_order(world.anas_customer, placed_at=at(date(2025, 6, 13)))  # not the first purchase
    place_order(world.brunos_customer, placed_at=at(date(2026, 6, 1)))  # first purchase this year
    rules.run_rules(today=TODAY)
    task = Task.objects.get()
    assert (task.customer, task.occasion, task.due_on) == (world.anas_customer, "2026", date(2026, 6, 12))


def test_welcome_goes_to_the_newly_assigned_associate(world):
    enable(RuleKey.WELCOME, days=2)
    assignment = CustomerAssignment.objects.create(customer=world.brunos_customer, associate=world.ana)
    CustomerAssignment.objects.filter(pk=assignment.pk).update(created_at=at(TODAY))
    CustomerAssignment.objects.exclude(pk=assignment.pk).update(created_at=at(TODAY - timedelta(days=60)))
    rules.run_rules(today=TODAY)
    task = Task.objects.get()
    assert (task.customer, task.assignee, task.due_on) == (world.brunos_customer, world.ana, TODAY + timedelta(days=2))


def _listed(customer, product):
    customer_list = CustomerList.objects.create(customer=customer, name="Living room ideas")
    room = ListRoom.objects.create(list=customer_list, name="Living room")
    return ListItem.objects.create(list=customer_list, room=room, product=product)


def test_a_listed_product_back_in_stock_and_cheaper(world, admin_user):
    product = Product.objects.create(sku="SOFA-1", name="Linen sofa", price=Decimal("900.00"), in_stock=False)
    _listed(world.anas_customer, product)
    deleted = _listed(world.brunos_customer, product).list
    deleted.deleted_at = at(TODAY)
    deleted.save()
    upsert_product(admin_user, {"sku": "SOFA-1", "in_stock": True, "price": Decimal("750.00")})
    assert set(ProductChange.objects.values_list("kind", flat=True)) == {"back_in_stock", "price_drop"}
    enable(RuleKey.BACK_IN_STOCK, RuleKey.PRICE_DROP)
    result = rules.run_rules()
    assert result.created == {"back_in_stock": 1, "price_drop": 1}
    titles = sorted(Task.objects.values_list("title", flat=True))
    assert titles == ["Linen sofa costs less now: tell Alice Almeida", "Linen sofa is back in stock for Alice Almeida"]
    assert rules.run_rules().total_created == 0


def test_a_price_rise_records_no_change(world, admin_user):
    Product.objects.create(sku="LAMP-1", name="Lamp", price=Decimal("50.00"))
    upsert_product(admin_user, {"sku": "LAMP-1", "price": Decimal("60.00")})
    assert not ProductChange.objects.exists()


def test_a_lookbook_opened_without_a_purchase_goes_to_its_author(world, place_order):
    enable(RuleKey.LOOKBOOK_NO_PURCHASE, days=3)
    opened = Lookbook.objects.create(customer=world.brunos_customer, author=world.bruno, store=world.north,
                                     title="Spring", opened_at=at(TODAY - timedelta(days=3)))
    bought = Lookbook.objects.create(customer=world.anas_customer, author=world.ana, store=world.north,
                                     title="Summer", opened_at=at(TODAY - timedelta(days=3), 9))
    place_order(world.anas_customer, placed_at=at(TODAY - timedelta(days=2)))
    rules.run_rules(today=TODAY)
    task = Task.objects.get()
    assert (task.customer, task.assignee, task.occasion) == (world.brunos_customer, world.bruno,
                                                             f"lookbook-{opened.pk}")
    assert bought.pk != opened.pk


def test_the_people_who_get_new_tasks_are_notified_once_per_run(world):
    for customer in (world.anas_customer, world.shopper, world.toms_customer):
        customer.birthday = date(1990, 6, 12)
        customer.save()
    enable(RuleKey.BIRTHDAY)
    rules.run_rules(today=TODAY)
    ana = Notification.objects.get(user=world.ana.user)
    assert (ana.kind, ana.title, ana.url) == ("task", "2 new tasks for you", "/console/tasks/")
    # Team mode: every associate of the store hears about the store's task.
    assert Notification.objects.filter(user__in=[world.tom.user, world.tina.user, world.sam.user]).count() == 3
    rules.run_rules(today=TODAY)
    assert Notification.objects.count() == 4


def test_the_command_runs_the_rules(world, capsys):
    world.anas_customer.birthday = date(1990, 6, 14)
    world.anas_customer.save()
    call_command("rules", "run", "--today", "2026-06-10", "--rule", "birthday")
    assert "Created 1 tasks for 2026-06-10." in capsys.readouterr().out
    call_command("rules", "run", "--today", "2026-06-10", "--rule", "birthday")
    assert Task.objects.count() == 1


def test_the_scheduled_job_runs_the_enabled_rules(world):
    from shopfloor.clienteling.tasks import run_task_rules_task
    from shopfloor.jobs import SCHEDULE

    assert ("shopfloor.clienteling.tasks.run_task_rules_task", 3600) in SCHEDULE
    world.anas_customer.birthday = date.today() + timedelta(days=2)
    world.anas_customer.save()
    enable(RuleKey.BIRTHDAY)
    assert run_task_rules_task.call() == 1
    assert run_task_rules_task.call() == 0


def test_admins_tune_and_run_rules_through_the_api(world, admin_api, api_as):
    listed = admin_api.get("/api/v1/task-rules").json()
    assert [item["key"] for item in listed["items"]] == RuleKey.values
    response = admin_api.patch("/api/v1/task-rules/birthday", {"enabled": True, "days": 10},
                               content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["enabled"], response.json()["days"]) == (True, 10)
    world.anas_customer.birthday = date(1990, 6, 19)
    world.anas_customer.save()
    run = admin_api.post("/api/v1/task-rules/run", {"today": "2026-06-10"}, content_type="application/json")
    assert run.status_code == 200
    assert run.json()["created"] == {"birthday": 1}


def test_associates_may_read_the_rules_but_not_change_or_run_them(world, api_as):
    client = api_as(world.ana.user)
    assert client.get("/api/v1/task-rules").status_code == 200
    assert client.patch("/api/v1/task-rules/birthday", {"enabled": True},
                        content_type="application/json").status_code == 403
    assert client.post("/api/v1/task-rules/run", {}, content_type="application/json").status_code == 403
    assert not TaskRule.objects.filter(enabled=True).exists()


def test_bad_tuning_is_a_422_and_changes_nothing(world, admin_api):
    response = admin_api.patch("/api/v1/task-rules/birthday", {"days": -1}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "days"]
    assert admin_api.patch("/api/v1/task-rules/nope", {"days": 1},
                           content_type="application/json").status_code == 404


def test_merge_fields_leave_unknown_braces_alone():
    assert rules.merge("Hi {first_name} {unknown} {0} {first_name.__class__}", {"first_name": "Ana"}) == \
        "Hi Ana {unknown} {0} {first_name.__class__}"


def test_the_rules_page_is_for_admins(world, client_as):
    assert client_as(world.nora.user).get("/console/task-rules/").status_code == 403
    html = client_as(world.admin).get("/console/task-rules/").content.decode()
    assert "Birthday" in html and "Lookbook opened, no purchase" in html
    response = client_as(world.admin).post("/console/task-rules/", {
        "key": "win_back", "win_back-enabled": "on", "win_back-days": "60", "win_back-catch_up_days": "7",
        "win_back-due_in_days": "0", "win_back-priority": "normal", "win_back-title": "Win back {first_name}",
        "win_back-message": "Hello",
    })
    assert response.status_code == 302
    rule = TaskRule.objects.get(key="win_back")
    assert (rule.enabled, rule.days, rule.title) == (True, 60, "Win back {first_name}")


def test_an_admin_edit_of_a_product_records_it_back_in_stock(world, client_as):
    product = Product.objects.create(sku="RUG-1", name="Wool rug", price=Decimal("300.00"), in_stock=False)
    response = client_as(world.admin).post(f"/admin/catalog/product/{product.pk}/change/", {
        "name": "Wool rug", "sku": "RUG-1", "price": "280.00", "in_stock": "on", "url": "", "image_url": "",
        "description": "",
    })
    assert response.status_code == 302
    assert sorted(ProductChange.objects.values_list("kind", flat=True)) == ["back_in_stock", "price_drop"]


def test_admins_tune_a_rule_in_the_django_admin(world, client_as):
    rules.ensure_rules()
    rule = TaskRule.objects.get(key="birthday")
    client = client_as(world.admin)
    assert client.get("/admin/clienteling/taskrule/").status_code == 200
    response = client.post(f"/admin/clienteling/taskrule/{rule.pk}/change/", {
        "enabled": "on", "days": "14", "catch_up_days": "7", "due_in_days": "1", "priority": "high",
        "title": "Birthday {first_name}", "message": "Hi {first_name}",
    })
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.enabled, rule.days, rule.priority, rule.updated_by) == (True, 14, "high", world.admin)
    assert client.get("/admin/clienteling/task/").status_code == 200
