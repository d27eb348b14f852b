"""Announcement audiences and thread membership, over random worlds: who reads equals who is told."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopfloor.access import (
    Actor,
    announcement_audience,
    thread_members,
    visible_announcements,
    visible_threads,
)
from shopfloor.accounts.models import AgentGroup, AssociateRole
from shopfloor.comms.models import Announcement, Thread
from tests.factories import make_associate, make_store, make_user

worlds = st.fixed_dictionaries({
    "associates": st.lists(
        st.tuples(st.integers(0, 2), st.booleans(), st.booleans(), st.lists(st.integers(0, 2), max_size=2),
                  st.none() | st.integers(0, 5)),
        min_size=1, max_size=6,
    ),  # (store, manager, active, agent groups, parent index)
    "announcements": st.lists(
        st.tuples(st.sampled_from(["all", "stores", "groups"]), st.lists(st.integers(0, 2), min_size=1, max_size=2),
                  st.booleans()),
        min_size=1, max_size=4,
    ),  # (audience, store or group indexes, published already)
    "threads": st.lists(st.tuples(st.sampled_from(["retailer", "agent"]), st.integers(0, 5)), max_size=4),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds)
def test_readers_are_exactly_the_audience_and_the_members(db, world):
    with transaction.atomic():
        now = timezone.now()
        stores = [make_store(f"s{i}", f"Store {i}") for i in range(3)]
        groups = [AgentGroup.objects.create(name=f"G{i}") for i in range(3)]
        associates = []
        for index, (store, manager, active, in_groups, _) in enumerate(world["associates"]):
            associate = make_associate(stores[store], f"P{index}", f"p{index}@example.com", active=active,
                                       role=AssociateRole.MANAGER if manager else AssociateRole.ASSOCIATE)
            for group in in_groups:
                groups[group].associates.add(associate)
            associates.append(associate)
        for index, (*_, parent) in enumerate(world["associates"]):
            if parent is not None and parent < len(associates) and parent != index:
                associates[index].parent = associates[parent]
                associates[index].save()
        admin = make_user("root@example.com", is_staff=True)

        announcements = []
        for audience, targets, published in world["announcements"]:
            announcement = Announcement.objects.create(
                title="A", body="b", body_html="b", audience=audience,
                publish_at=now - timedelta(minutes=1) if published else now + timedelta(hours=1),
            )
            if audience == "stores":
                announcement.stores.set([stores[t] for t in targets])
            if audience == "groups":
                announcement.agent_groups.set([groups[t] for t in targets])
            announcements.append((announcement, published))
        for announcement, published in announcements:
            audience = set(announcement_audience(announcement).values_list("pk", flat=True))
            readers = {a.pk for a in associates if visible_announcements(Actor(a.user)).filter(pk=announcement.pk)
                       .exists()}
            assert readers == (audience if published else set()), world
        assert visible_announcements(Actor(admin)).count() == len(announcements)

        for kind, index in world["threads"]:
            associate = associates[index % len(associates)]
            agent = associate.parent if kind == "agent" else None
            if kind == "agent" and agent is None:
                continue
            thread = Thread.objects.create(kind=kind, subject="s", associate=associate, agent=agent,
                                           last_message_at=now)
            members = set(thread_members(thread).values_list("pk", flat=True))
            people = [a.user for a in associates] + [admin]
            readers = {u.pk for u in people if visible_threads(Actor(u)).filter(pk=thread.pk).exists()}
            assert readers == members, (kind, world)
        transaction.set_rollback(True)
