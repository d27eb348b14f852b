"""GET /me: who the credentials belong to, for every role."""

from django.test import Client
from django.utils import timezone

from shopfloor.accounts.models import ApiToken
from shopfloor.accounts.services import create_api_token
from tests.api.conftest import API
from tests.factories import make_user


def test_an_admin_is_told_their_role(world, admin_api):
    assert admin_api.get(f"{API}/me").json() == {
        "id": world.admin.pk,
        "email": "admin@example.com",
        "role": "admin",
        "associate_id": None,
        "store_id": None,
        "customer_id": None,
    }


def test_a_manager_is_told_their_associate_and_store(world, api_as):
    assert api_as(world.nora.user).get(f"{API}/me").json() == {
        "id": world.nora.user.pk,
        "email": "nora@example.com",
        "role": "manager",
        "associate_id": world.nora.pk,
        "store_id": world.north.pk,
        "customer_id": None,
    }


def test_an_associate_is_told_their_associate_and_store(world, api_as):
    assert api_as(world.tom.user).get(f"{API}/me").json() == {
        "id": world.tom.user.pk,
        "email": "tom@example.com",
        "role": "associate",
        "associate_id": world.tom.pk,
        "store_id": world.south.pk,
        "customer_id": None,
    }


def test_a_customer_is_told_their_customer_record_and_home_store(world, api_as):
    assert api_as(world.shopper.user).get(f"{API}/me").json() == {
        "id": world.shopper.user.pk,
        "email": "filipa@example.com",
        "role": "customer",
        "associate_id": None,
        "store_id": world.north.pk,
        "customer_id": world.shopper.pk,
    }


def test_a_login_without_a_role_is_told_so(world, api_as):
    user = make_user("nobody@example.com")
    assert api_as(user).get(f"{API}/me").json()["role"] == "none"


def test_anonymous_callers_are_refused(world, client):
    response = client.get(f"{API}/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_a_revoked_token_is_refused(world):
    api_token, token = create_api_token(world.tom.user)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert api.get(f"{API}/me").status_code == 200
    ApiToken.objects.filter(pk=api_token.pk).update(revoked_at=timezone.now())
    assert api.get(f"{API}/me").status_code == 401


def test_the_consoles_session_works_and_its_writes_need_the_csrf_token(world):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.admin)
    assert browser.get(f"{API}/me").json()["role"] == "admin"
    refused = browser.post(f"{API}/businesses", {"name": "Casa"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF check Failed"}
    browser.cookies["csrftoken"] = "k" * 32
    accepted = browser.post(
        f"{API}/businesses",
        {"name": "Casa"},
        content_type="application/json",
        headers={"X-CSRFToken": "k" * 32},
    )
    assert accepted.status_code == 201
