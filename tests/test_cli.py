"""The `shopfloor` command's own subcommands."""

import io

import pytest
from django.core.management import CommandError, call_command

from shopfloor.accounts.models import ApiToken, User


def test_createadmin_is_non_interactive_with_both_options(db):
    call_command("createadmin", email="Boss@Example.com", password="long-enough-1", stdout=io.StringIO())
    user = User.objects.get(email="boss@example.com")
    assert user.is_staff and user.is_superuser
    assert user.check_password("long-enough-1")


def test_createadmin_again_resets_the_password_of_the_same_admin(db):
    call_command("createadmin", email="boss@example.com", password="first-password", stdout=io.StringIO())
    call_command("createadmin", email="boss@example.com", password="second-password", stdout=io.StringIO())
    assert User.objects.filter(email="boss@example.com").count() == 1
    assert User.objects.get(email="boss@example.com").check_password("second-password")


def test_createadmin_refuses_a_short_password_and_writes_nothing(db):
    with pytest.raises(CommandError):
        call_command("createadmin", email="boss@example.com", password="short", stdout=io.StringIO())
    assert not User.objects.exists()


def test_token_create_prints_a_token_once_and_stores_only_its_hash(db, client):
    User.objects.create_user(email="erp@example.com", password="x" * 12, is_staff=True)
    out = io.StringIO()
    call_command("token", "create", email="erp@example.com", stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip()
    stored = ApiToken.objects.get()
    assert token.startswith("sf_") and len(token) > 40
    assert token not in (stored.token_hash, stored.prefix)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["email"] == "erp@example.com"


def test_token_create_for_an_unknown_email_fails(db):
    with pytest.raises(CommandError):
        call_command("token", "create", email="nobody@example.com", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_the_console_script_runs_django_commands_with_shopfloor_settings(monkeypatch):
    from shopfloor import cli

    seen = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", seen.append)
    cli.main(["/usr/bin/shopfloor", "worker", "--batch"])
    assert seen == [["shopfloor", "worker", "--batch"]]


@pytest.mark.parametrize(("host", "public_url"), [("127.0.0.1", "http://127.0.0.1:8123"),
                                                  ("0.0.0.0", "http://127.0.0.1:8123")])
def test_serve_makes_links_in_messages_point_at_the_address_it_serves(db, monkeypatch, settings, host, public_url):
    # `db`: serve checks the database (here the test database) before serving.
    from shopfloor.site.management.commands import serve

    monkeypatch.setitem(settings.SHOPFLOOR, "PUBLIC_URL", "")
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    served = []
    monkeypatch.setattr(serve.uvicorn, "run", lambda *args, **kwargs: served.append(kwargs))
    call_command("serve", "--no-migrate", "--host", host, "--port", "8123", stdout=io.StringIO())
    assert served and served[0]["port"] == 8123
    assert served[0]["lifespan"] == "on"  # the lifespan starts each serving process's task worker
    assert settings.SHOPFLOOR["PUBLIC_URL"] == public_url
    # uvicorn's worker processes read the settings again: the environment carries it to them.
    import os

    assert os.environ["PUBLIC_URL"] == public_url


def test_serve_keeps_the_public_url_the_retailer_set(db, monkeypatch, settings):
    from shopfloor.site.management.commands import serve

    monkeypatch.setitem(settings.SHOPFLOOR, "PUBLIC_URL", "https://shopfloor.example.com")
    monkeypatch.setattr(serve.uvicorn, "run", lambda *args, **kwargs: None)
    call_command("serve", "--no-migrate", "--port", "8123", stdout=io.StringIO())
    assert settings.SHOPFLOOR["PUBLIC_URL"] == "https://shopfloor.example.com"
