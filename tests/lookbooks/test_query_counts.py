"""List endpoints take the same number of queries for 3 records or 30 (no N+1)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from shopfloor.access import actor_for
from shopfloor.outreach import services as outreach


def test_lists_take_the_same_queries_for_3_or_30(world, api_as, make_look, make_lookbook, django_assert_num_queries):
    world.anas_customer.email_opt_in = True
    world.anas_customer.save()
    api = api_as(world.ana.user)
    ana = actor_for(world.ana.user)

    def fill(n):
        for index in range(n):
            make_look(world.ana, title=f"Look {index}")
            make_lookbook(world.ana, world.anas_customer)
            outreach.send_message(ana, world.anas_customer, {"channel": "email", "body": f"https://x.example/{index}"})

    fill(3)
    api.get("/api/v1/me")  # the token's first use of the day stamps it; not part of the lists
    paths = ("/api/v1/looks", "/api/v1/lookbooks", "/api/v1/outreach")
    counts = {}
    for path in paths:
        with CaptureQueriesContext(connection) as few:
            assert api.get(path).json()["count"] == 3
        counts[path] = len(few)
    fill(27)
    for path in paths:
        with django_assert_num_queries(counts[path]):
            assert api.get(path).json()["count"] == 30
