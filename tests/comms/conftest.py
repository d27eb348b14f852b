"""Comms fixtures: a controlled clock, console clients, real image and PDF bytes for attachments."""

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image


class Clock:
    """A controlled `timezone.now()`: tests move it with `advance`."""

    def __init__(self):
        self.now = timezone.now().replace(microsecond=0)

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock():
    fake = Clock()
    with mock.patch("django.utils.timezone.now", fake):
        yield fake


@pytest.fixture
def console_as():
    """console_as(user) → a logged-in test client (session, as the console uses)."""

    def factory(user):
        client = Client()
        client.force_login(user)
        return client

    return factory


def png_bytes(size=(8, 8), color=(31, 111, 120)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
