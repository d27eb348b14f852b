"""Console tests go through HTTP with Django's test client, signed in as the world's people."""

from datetime import UTC, date, datetime, time

import pytest
from django.test import Client


@pytest.fixture
def client_as():
    """client_as(user) → a test client with that user's session (CSRF checks on, as in a browser)."""

    def factory(user, enforce_csrf_checks=False):
        client = Client(enforce_csrf_checks=enforce_csrf_checks)
        if user is not None:
            client.force_login(user)
        return client

    return factory


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)
