"""The commissions endpoints are in the OpenAPI schema under the contract's names."""

PATHS = {
    "/api/v1/commission-rules": {"get", "post"},
    "/api/v1/commission-rules/{rule_id}": {"get", "patch"},
    "/api/v1/commission-settings": {"get", "put", "patch"},
    "/api/v1/commissions/simulate": {"post"},
    "/api/v1/earnings": {"get"},
    "/api/v1/associates/{associate_id}/balance": {"get"},
    "/api/v1/associates/{associate_id}/statement.csv": {"get"},
    "/api/v1/associates/{associate_id}/payout-profile": {"get", "put"},
    "/api/v1/payouts": {"get", "post"},
    "/api/v1/payouts/{payout_id}": {"get"},
    "/api/v1/adjustments": {"post"},
}


def test_the_schema_names_every_commissions_endpoint(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {path: set(paths.get(path, {})) for path in PATHS} == PATHS
    earning = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["EarningOut"]["properties"]
    assert {"id", "associate_id", "order_id", "amount", "status", "level", "rule_id", "breakdown", "kind",
            "created_at"} <= set(earning)
