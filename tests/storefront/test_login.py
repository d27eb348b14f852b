"""Shoppers sign in and out of the demo shop with Django's session login."""

from tests.factories import PASSWORD, make_customer, make_user


def test_a_shopper_signs_in_with_their_email_in_any_case_and_lands_on_their_account(client, shop_store):
    make_customer(shop_store, "Carolina", "Mendes", user=make_user("carolina@example.com"))
    response = client.post("/shop/account/login/", {"username": "Carolina@Example.COM", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/shop/account/"
    assert "Hello, Carolina" in client.get("/shop/account/").content.decode()


def test_a_wrong_password_is_refused_with_a_message(client, shop_store):
    make_user("carolina@example.com")
    response = client.post("/shop/account/login/", {"username": "carolina@example.com", "password": "wrong"})
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_in_returns_to_a_same_site_page_but_never_to_another_site(client, shop_store):
    make_user("carolina@example.com")
    credentials = {"username": "carolina@example.com", "password": PASSWORD}
    response = client.post("/shop/account/login/", {**credentials, "next": "/shop/bag/"})
    assert response["Location"] == "/shop/bag/"
    client.logout()
    response = client.post("/shop/account/login/", {**credentials, "next": "https://evil.example.com/"})
    assert response["Location"] == "/shop/account/"


def test_the_account_page_sends_anonymous_visitors_to_sign_in(client, shop_store):
    response = client.get("/shop/account/")
    assert response.status_code == 302
    assert response["Location"] == "/shop/account/login/?next=/shop/account/"


def test_signing_out_takes_a_post_and_ends_the_session(client, shop_store):
    client.force_login(make_user("carolina@example.com"))
    assert client.get("/shop/account/logout/").status_code == 405
    response = client.post("/shop/account/logout/")
    assert response.status_code == 302 and response["Location"] == "/shop/"
    assert "_auth_user_id" not in client.session


def test_a_staff_login_is_welcome_but_the_account_page_is_for_customers(client, shop_store, admin_user):
    response = client.post("/shop/account/login/", {"username": "admin@example.com", "password": PASSWORD})
    assert response.status_code == 302
    html = client.get("/shop/account/").content.decode()
    assert "This page is for customers" in html
    assert "Your sales representatives" not in html
