"""No input makes the comms API fail with a 5xx: random JSON bodies, form fields, query strings and ids."""

import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopfloor.access import Actor
from shopfloor.comms.services import save_announcement, start_thread
from tests.conftest import bearer_client

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

junk = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=20)
    | st.sampled_from(["", "\x00", "NaN", "9" * 40, "2030-01-01T10:00:00", "2030-01-01T10:00:00Z", "all", "stores",
                       "groups", "retailer", "agent", "9999-12-31T23:59:59+14:00"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)
FIELDS = {
    "announcement": ["title", "body", "audience", "store_ids", "agent_group_ids", "publish_at"],
    "thread": ["kind", "subject", "body", "associate_id"],
    "preferences": ["email"],
}


@pytest.fixture
def target(world):
    clients = {name: bearer_client(user) for name, user in (
        ("admin", world.admin), ("ana", world.ana.user), ("nora", world.nora.user), ("shopper", world.shopper.user))}
    announcement = save_announcement(Actor(world.admin), {"title": "t", "body": "b"})
    thread = start_thread(Actor(world.ana.user), "retailer", "s", "b")
    return clients, {"announcement": announcement.pk, "thread": thread.pk, "store": world.north.pk}


def path_id(real):
    return st.sampled_from([str(real), str(real), "0", "-1", "abc", str(2**63), "9" * 40])


@FUZZ
@given(data=st.data())
def test_no_json_body_makes_a_comms_write_fail(target, data):
    clients, ids = target
    method, path, shape = data.draw(st.sampled_from([
        ("post", "/api/v1/announcements", "announcement"),
        ("post", "/api/v1/threads", "thread"),
        ("put", "/api/v1/notification-preferences", "preferences"),
    ]))
    body = data.draw(st.dictionaries(st.sampled_from(FIELDS[shape]), junk, max_size=5))
    client = clients[data.draw(st.sampled_from(sorted(clients)))]
    with transaction.atomic():
        response = client.generic(method.upper(), path, json.dumps(body), content_type="application/json")
        assert response.status_code < 500, (path, body, response.content)
        transaction.set_rollback(True)


@FUZZ
@given(data=st.data())
def test_no_form_query_or_id_makes_a_comms_endpoint_fail(target, data):
    clients, ids = target
    client = clients[data.draw(st.sampled_from(sorted(clients)))]
    thread = data.draw(path_id(ids["thread"]))
    announcement = data.draw(path_id(ids["announcement"]))
    text = st.text(max_size=12) | st.sampled_from(["", "\x00", "a\x00b", "9" * 40])
    with transaction.atomic():
        for method, path, payload in [
            ("post", f"/api/v1/threads/{thread}/messages", {"body": data.draw(text)}),
            ("get", f"/api/v1/threads/{thread}/messages", {"limit": data.draw(text), "offset": data.draw(text)}),
            ("get", f"/api/v1/threads/{thread}", {}),
            ("get", f"/api/v1/announcements/{announcement}", {}),
            ("post", f"/api/v1/announcements/{announcement}/read", {}),
            ("get", f"/api/v1/announcements/{announcement}/receipts", {}),
            ("get", "/api/v1/notifications", {"kind": data.draw(text), "unread": data.draw(text)}),
            ("get", f"/api/v1/attachments/{thread}", {}),
        ]:
            response = getattr(client, method)(path, payload)
            assert response.status_code < 500, (method, path, payload, response.content)
        transaction.set_rollback(True)
