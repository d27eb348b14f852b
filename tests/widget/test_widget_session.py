"""/widget/session, the loader and feature scripts, CORS: what any storefront's page talks to."""

import json

from django.test import Client

from shopfloor.widget.models import WidgetSettings
from shopfloor.widget.services import identity_from_token, register_feature
from tests.widget.conftest import start_session

SHOP = "https://shop.example.com"


def test_an_associate_gets_the_panel_at_once(world):
    response, session = start_session(world.north, email="ana@example.com")

    assert response.status_code == 200
    assert session["identity"]["kind"] == "associate"
    assert session["identity"]["associate_id"] == world.ana.pk
    assert "panel" in session["features"]
    assert session["store"] == {"key": world.north.widget_key, "name": "North Store", "currency": "EUR",
                                "selling_mode": "associate"}
    store, identity = identity_from_token(session["token"])
    assert (store, identity.associate_id) == (world.north, world.ana.pk)


def test_a_customer_and_an_anonymous_visitor_get_no_panel(world):
    _, customer = start_session(world.north, customer_id=world.shopper.pk)
    _, anonymous = start_session(world.north)

    assert customer["identity"]["kind"] == "customer"
    assert anonymous["identity"]["kind"] == "anonymous"
    assert "panel" not in customer["features"]
    assert "panel" not in anonymous["features"]


def test_a_forged_signature_answers_anonymous_not_an_error(world):
    body = {"store": world.north.widget_key, "identity": "email:ana@example.com|1900000000", "signature": "ab" * 32}

    response = Client().post("/widget/session", json.dumps(body), content_type="application/json")

    assert response.status_code == 200
    assert response.json()["identity"]["kind"] == "anonymous"
    assert response.json()["features"] == [] or "panel" not in response.json()["features"]


def test_an_identity_signed_for_another_store_is_anonymous_here(world):
    from shopfloor.widget.services import sign_identity

    identity, signature = sign_identity(world.south, email="ana@example.com")
    body = {"store": world.north.widget_key, "identity": identity, "signature": signature}

    response = Client().post("/widget/session", json.dumps(body), content_type="application/json")

    assert response.json()["identity"]["kind"] == "anonymous"


def test_the_session_also_answers_a_get(world):
    from shopfloor.widget.services import sign_identity

    identity, signature = sign_identity(world.north, email="ana@example.com")
    response = Client().get("/widget/session", {"store": world.north.widget_key, "identity": identity,
                                                "signature": signature})

    assert response.json()["identity"]["kind"] == "associate"


def test_an_unknown_store_key_is_404_naming_the_field(db):
    response = Client().post("/widget/session", json.dumps({"store": "nope"}), content_type="application/json")

    assert response.status_code == 404
    assert response.json()["detail"][0]["loc"] == ["body", "store"]


def test_a_body_that_is_not_a_json_object_is_422(world):
    for body in ("[1, 2]", "not json", '"text"'):
        response = Client().post("/widget/session", body, content_type="application/json")
        assert response.status_code == 422


def test_an_unlisted_origin_is_refused(world):
    response, _ = start_session(world.north, email="ana@example.com", origin="https://evil.example.net")

    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response


def test_a_listed_origin_is_answered_with_cors_headers(world):
    WidgetSettings.objects.create(store=world.north, allowed_origins=f"{SHOP}/\nhttps://other.example.com")

    response, session = start_session(world.north, email="ana@example.com", origin=SHOP)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == SHOP
    assert "X-Shopfloor-Widget" in response["Access-Control-Allow-Headers"]


def test_an_origin_listed_for_another_store_is_refused_here(world):
    WidgetSettings.objects.create(store=world.south, allowed_origins=SHOP)

    response, _ = start_session(world.north, email="ana@example.com", origin=SHOP)

    assert response.status_code == 403


def test_shopfloors_own_pages_are_always_allowed(world):
    response, _ = start_session(world.north, email="ana@example.com", origin="http://testserver")

    assert response.status_code == 200


def test_a_preflight_is_answered_for_a_listed_origin_only(world):
    WidgetSettings.objects.create(store=world.north, allowed_origins=SHOP)
    client = Client()

    allowed = client.options("/widget/save", headers={"Origin": SHOP, "Access-Control-Request-Method": "POST"})
    refused = client.options("/widget/save", headers={"Origin": "https://evil.example.net"})

    assert allowed.status_code == 204
    assert allowed["Access-Control-Allow-Origin"] == SHOP
    assert refused.status_code == 403


def test_the_loader_and_feature_scripts_are_public_modules(db):
    client = Client()
    for path in ("/widget.js", "/widget/panel.js", "/widget/save.js", "/widget/widget.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Access-Control-Allow-Origin"] == "*"
    assert client.get("/widget.js")["Content-Type"].startswith("text/javascript")
    assert client.get("/widget/no-such-feature.js").status_code == 404


def test_a_registered_feature_is_offered_where_it_is_enabled(world):
    register_feature("test-greeter", lambda store, identity: identity.kind == "customer")
    try:
        _, customer = start_session(world.north, customer_id=world.shopper.pk)
        _, associate = start_session(world.north, email="ana@example.com")
    finally:
        from shopfloor.widget import services as widget

        widget._features.pop("test-greeter")

    assert "test-greeter" in customer["features"]
    assert "test-greeter" not in associate["features"]


def test_a_feature_that_fails_to_decide_does_not_break_the_session(world):
    def broken(store, identity):
        raise RuntimeError("boom")

    register_feature("test-broken", broken)
    try:
        response, session = start_session(world.north, email="ana@example.com")
    finally:
        from shopfloor.widget import services as widget

        widget._features.pop("test-broken")

    assert response.status_code == 200
    assert "panel" in session["features"]
    assert "test-broken" not in session["features"]
