"""Signing in to the console and out again: staff only, email and password, logout by POST."""

from django.contrib.auth import SESSION_KEY

from tests.factories import PASSWORD


def test_the_login_page_is_the_consoles_own_styled_form(client, db):
    response = client.get("/console/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sign in to the console" in html
    assert "console/console.css" in html
    assert 'type="email"' in html and 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert '<label for="id_username">Email</label>' in html
    assert "admin/css" not in html


def test_an_associate_signs_in_with_email_and_password_and_lands_on_their_dashboard(client, world):
    response = client.post("/console/login/", {"username": "ana@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/console/"
    assert client.session[SESSION_KEY] == str(world.ana.user.pk)
    assert client.get("/console/")["Location"] == "/console/dashboard/"


def test_admins_land_on_the_customers(client, world):
    client.force_login(world.admin)
    assert client.get("/console/")["Location"] == "/console/customers/"


def test_the_email_is_matched_whatever_its_case(client, world):
    response = client.post("/console/login/", {"username": "  Ana@Example.COM ", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(world.ana.user.pk)


def test_a_wrong_password_is_refused_with_a_clear_message(client, world):
    response = client.post("/console/login/", {"username": "ana@example.com", "password": "nope-nope-1"})
    assert response.status_code == 200
    assert "That email and password do not match an account." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_shopper_cannot_sign_in_to_the_console(client, world):
    response = client.post("/console/login/", {"username": "filipa@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert "This account has no access to the console." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_an_inactive_associate_cannot_sign_in(client, world):
    world.bruno.active = False
    world.bruno.save()
    response = client.post("/console/login/", {"username": "bruno@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_an_admin_signs_in(client, world):
    response = client.post("/console/login/", {"username": "admin@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(world.admin.pk)


def test_login_follows_a_same_site_next_and_ignores_another_site(client, world):
    response = client.post(
        "/console/login/?next=/console/settings/", {"username": "ana@example.com", "password": PASSWORD,
                                                     "next": "/console/settings/"}
    )
    assert response["Location"] == "/console/settings/"
    client.post("/console/logout/")
    response = client.post(
        "/console/login/", {"username": "ana@example.com", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/console/"


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get("/console/customers/?q=ana")
    assert response.status_code == 302
    assert response["Location"] == "/console/login/?next=/console/customers/%3Fq%3Dana"


def test_a_signed_in_shopper_sees_that_the_console_is_not_for_them(client_as, world):
    response = client_as(world.shopper.user).get("/console/customers/")
    assert response.status_code == 403
    assert "This account has no console access" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(client_as, world):
    client = client_as(world.ana.user)
    assert client.get("/console/logout/").status_code == 405
    assert SESSION_KEY in client.session
    response = client.post("/console/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/console/login/"
    assert SESSION_KEY not in client.session


def test_logout_needs_the_csrf_token(client_as, world):
    client = client_as(world.ana.user, enforce_csrf_checks=True)
    assert client.post("/console/logout/").status_code == 403
    assert SESSION_KEY in client.session
