"""Widget fixtures: a few products, signed identities, widget tokens and a client that calls the panel's
endpoints. The demo shop that embeds the widget is the shop_store fixture's (tests/conftest.py)."""

import json

import pytest
from django.test import Client

from shopfloor.widget.services import sign_identity

PRODUCTS = [("LIN-1", "Linen throw", "89.00"), ("CER-2", "Stoneware bowl", "24.00")]


@pytest.fixture
def products(db):
    from shopfloor.catalog.models import Product

    return [Product.objects.create(sku=sku, name=name, price=price) for sku, name, price in PRODUCTS]


def start_session(store, *, email="", customer_id=None, client=None, origin=None, **signing):
    """POST /widget/session with an identity signed for `store` → (response, payload)."""
    client = client or Client()
    body = {"store": store.widget_key}
    if email or customer_id is not None:
        identity, signature = sign_identity(store, email=email, customer_id=customer_id, **signing)
        body.update(identity=identity, signature=signature)
    headers = {"Origin": origin} if origin else {}
    response = client.post("/widget/session", json.dumps(body), content_type="application/json", headers=headers)
    return response, response.json()


class WidgetClient:
    """Calls the widget endpoints as the widget does: JSON, the token in X-Shopfloor-Widget."""

    def __init__(self, token, origin=None):
        self.token = token
        self.client = Client()
        self.headers = {"X-Shopfloor-Widget": token, **({"Origin": origin} if origin else {})}

    def get(self, path, **params):
        return self.client.get(path, params, headers=self.headers)

    def post(self, path, body):
        return self.client.post(path, json.dumps(body), content_type="application/json", headers=self.headers)


@pytest.fixture
def widget_as():
    """widget_as(store, email=... | customer_id=...) → a WidgetClient with that identity's token."""

    def factory(store, **identity):
        response, payload = start_session(store, **identity)
        assert response.status_code == 200
        return WidgetClient(payload["token"])

    return factory
