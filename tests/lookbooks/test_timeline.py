"""The customer timeline shows lookbooks (with their own visibility) and outreach messages with their status."""

from django.test import Client

from shopfloor.access import actor_for
from shopfloor.clienteling import timeline
from shopfloor.outreach import services as outreach


def test_lookbooks_and_messages_are_on_the_customers_timeline(world, make_lookbook, run_tasks):
    customer = world.anas_customer
    customer.email_opt_in = True
    customer.save()
    lookbook = make_lookbook(world.ana, customer)
    Client().get(f"/c/lookbook/{lookbook.token}")
    outreach.send_message(actor_for(world.ana.user), customer, {"channel": "email", "subject": "Hello",
                                                               "body": "See https://example.com/x"})
    run_tasks()  # a worker delivers the message and records it as sent
    entries = timeline.page_for(customer, actor=actor_for(world.ana.user), limit=50).entries
    titles = [(entry.kind, entry.title) for entry in entries if entry.kind in ("lookbook", "outreach")]
    assert titles == [
        ("outreach", "Email \u201cHello\u201d"),
        ("lookbook", "Opened the lookbook \u201cFor your living room\u201d"),
        ("lookbook", "Lookbook \u201cFor your living room\u201d (published)"),
    ]
    sent = next(entry for entry in entries if entry.kind == "outreach")
    assert sent.detail == "Sent by Ana Pop."


def test_a_colleague_does_not_see_an_associate_mode_lookbook_on_the_timeline(world, make_lookbook):
    make_lookbook(world.ana, world.anas_customer)
    world.anas_customer.assignments.create(associate=world.bruno)
    entries = timeline.page_for(world.anas_customer, actor=actor_for(world.bruno.user), limit=50).entries
    assert [entry for entry in entries if entry.kind == "lookbook"] == []
