"""Clienteling tests: the world's people, HTTP clients, and tasks made the way the product makes them."""

import pytest
from django.test import Client

from shopfloor.access import actor_for
from shopfloor.clienteling import services


@pytest.fixture
def client_as():
    """client_as(user) → a test client with that user's session."""

    def factory(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return factory


@pytest.fixture
def make_task(world):
    """make_task(author_associate_or_admin_user, **fields) → a manual task written through the service."""

    def factory(author, **fields):
        user = author.user if hasattr(author, "user") and not hasattr(author, "is_staff") else author
        data = {"title": fields.pop("title", "Call back"), **fields}
        return services.create_task(actor_for(user), data)

    return factory
