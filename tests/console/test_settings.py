"""The settings page: a signed-in staff member creates an API token, shown once, stored as a hash."""

import re

import pytest
from django.test import Client

from shopfloor.accounts.models import ApiToken
from shopfloor.accounts.services import hash_token


def token_on(response) -> str | None:
    match = re.search(r'id="new-token"[^>]*value="([^"]+)"', response.content.decode())
    return match.group(1) if match else None


@pytest.mark.parametrize("person", ["ana", "nora", "tom", "admin"])
def test_staff_create_a_token_that_is_shown_once_and_works(client_as, world, person):
    user = world.admin if person == "admin" else getattr(world, person).user
    client = client_as(user)
    response = client.post("/console/settings/", {"name": "ERP sync"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = token_on(response)
    assert token and token.startswith("sf_")
    stored = ApiToken.objects.get(user=user)
    assert stored.name == "ERP sync"
    assert stored.token_hash == hash_token(token)
    # Only a fingerprint is kept: the next visit lists the token by its first characters only.
    again = client.get("/console/settings/")
    assert token_on(again) is None
    assert token not in again.content.decode()
    assert f"{stored.prefix}…" in again.content.decode()
    me = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == user.email


def test_a_token_name_that_is_too_long_is_refused_and_nothing_is_created(client_as, world):
    response = client_as(world.ana.user).post("/console/settings/", {"name": "x" * 101})
    assert response.status_code == 422
    assert token_on(response) is None
    assert not ApiToken.objects.exists()


def test_people_see_only_their_own_tokens(client_as, world):
    client_as(world.ana.user).post("/console/settings/", {"name": "Ana's script"})
    html = client_as(world.bruno.user).get("/console/settings/").content.decode()
    assert "Ana&#x27;s script" not in html
    assert "You have no API tokens yet." in html


def test_the_settings_page_needs_a_staff_login_and_csrf(client, client_as, world):
    assert client.get("/console/settings/").status_code == 302
    assert client_as(world.shopper.user).post("/console/settings/", {"name": "x"}).status_code == 403
    with_csrf_checks = client_as(world.ana.user, enforce_csrf_checks=True)
    assert with_csrf_checks.post("/console/settings/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_the_settings_page_explains_the_selling_mode(client_as, world):
    html = client_as(world.tina.user).get("/console/settings/").content.decode()
    assert "You see every customer of South Store. In team mode the store&#x27;s associates share its " \
           "customers, and sales are credited to the store." in html
    html = client_as(world.ana.user).get("/console/settings/").content.decode()
    assert "You see the customers assigned to you. In associate mode each associate has their own " \
           "customers, and sales are credited to the associate." in html
    html = client_as(world.nora.user).get("/console/settings/").content.decode()
    assert "You see every customer of North Store. In associate mode" in html
