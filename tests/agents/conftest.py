"""Agent onboarding fixtures: registration opened by an admin, into the North store."""

import pytest
from django.core.cache import cache
from django.test import Client

from shopfloor.accounts.models import AgentGroup, AgentSignupSettings


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The registration pages count requests per address in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def console_as():
    def factory(user):
        client = Client()
        client.force_login(user)
        return client

    return factory


@pytest.fixture
def registration_open(world):
    group = AgentGroup.objects.create(name="Independent agents")
    return AgentSignupSettings.objects.create(enabled=True, store=world.north, group=group)
