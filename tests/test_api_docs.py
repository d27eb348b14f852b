"""The API documents itself without reaching outside the machine."""

import re


def test_the_openapi_schema_names_the_contract_endpoints(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/me", "/api/v1/stores", "/api/v1/associates", "/api/v1/customer-groups",
                 "/api/v1/businesses", "/api/v1/agencies", "/api/v1/customers", "/api/v1/customers/bulk",
                 "/api/v1/customers/{customer_id}/reps", "/api/v1/customers/{customer_id}/approve",
                 "/api/v1/customers/{customer_id}/reject", "/api/v1/products", "/api/v1/products/bulk",
                 "/api/v1/orders", "/api/v1/orders/{order_id}", "/api/v1/orders/{order_id}/refunds"):
        assert path in paths, path
    assert "BearerAuth" in schema["components"]["securitySchemes"]


def test_the_interactive_docs_load_their_assets_from_this_server(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html[:500]
    assert all(not asset.startswith(("http:", "https:", "//")) for asset in assets), assets
