"""Lists of announcements, threads and messages take a fixed number of queries, however long."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shopfloor.access import Actor
from shopfloor.comms.services import post_message, save_announcement, start_thread
from tests.comms.conftest import png_bytes


def queries(client, path) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context.captured_queries)


def add(world, n):
    admin, ana = Actor(world.admin), Actor(world.ana.user)
    for i in range(n):
        save_announcement(admin, {"title": f"News {i}", "body": "x", "audience": "stores",
                                  "store_ids": [world.north.pk, world.south.pk]})
        thread = start_thread(ana, "retailer", f"Thread {i}", "hello")
        post_message(ana, thread, "photo", [SimpleUploadedFile("p.png", png_bytes())])
    return thread


def test_list_endpoints_do_not_grow_with_their_length(world, api_as, console_as):
    client, admin, console = api_as(world.ana.user), api_as(world.admin), console_as(world.ana.user)

    def measure(paths):
        return ([queries(client, p) for p in paths] + [queries(admin, "/api/v1/announcements")]
                + [queries(console, p) for p in ("/console/announcements/", "/console/messages/")])

    thread = add(world, 1)
    paths = ["/api/v1/announcements", "/api/v1/threads", f"/api/v1/threads/{thread.pk}/messages"]
    measure(paths)  # the first call also stamps the tokens' last use
    small = measure(paths)
    thread = add(world, 4)
    for i in range(3):
        post_message(Actor(world.ana.user), thread, f"more {i}", [SimpleUploadedFile("p.png", png_bytes())])
    paths[2] = f"/api/v1/threads/{thread.pk}/messages"
    large = measure(paths)
    assert large == small, json.dumps(list(zip(paths, small, large)))
