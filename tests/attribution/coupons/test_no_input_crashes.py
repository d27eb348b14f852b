"""No input makes the coupon, interaction or attribution-settings endpoints fail with a 5xx (hypothesis)."""

import json
from urllib.parse import urlencode

from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from tests.api.conftest import API
from tests.api.test_no_input_crashes import EDGE_TEXT, FUZZ, junk
from tests.conftest import bearer_client

FIELDS = {
    "/coupons": ["code", "associate_id", "kind", "value", "max_uses", "expires_at"],
    "/interactions": ["kind", "customer_id", "visitor_id", "occurred_at", "source_ref", "associate_id"],
    "/coupon-bounds": ["max_percent", "max_amount", "max_uses", "max_days_to_expiry"],
    "/attribution-settings": ["attribution_window_days", "influence_window_days"],
}
plausible = st.sampled_from(EDGE_TEXT) | st.sampled_from(
    [1, 0, -1, 100, 101, 2**63, "percent", "fixed", "chat", "20.00", "50.01", "9999999999.99", None]
)


@FUZZ
@given(data=st.data())
def test_no_body_makes_these_write_endpoints_fail(world, data):
    path = data.draw(st.sampled_from(sorted(FIELDS)), label="path")
    method = "PUT" if path in ("/coupon-bounds", "/attribution-settings") else "POST"
    body = data.draw(st.dictionaries(st.sampled_from(FIELDS[path]), plausible | junk, max_size=5), label="body")
    user = data.draw(st.sampled_from([world.admin, world.ana.user, world.nora.user]), label="caller")
    with transaction.atomic():
        response = bearer_client(user).generic(method, API + path, json.dumps(body), content_type="application/json")
        assert response.status_code < 500, (path, body, response.content)
        transaction.set_rollback(True)


@FUZZ
@given(data=st.data())
def test_no_query_makes_validation_or_the_lists_fail(world, data):
    path = data.draw(st.sampled_from(["/coupons/validate", "/coupons", "/interactions"]), label="path")
    keys = ["code", "subtotal", "currency", "customer_id", "associate_id", "visitor_id", "active", "limit"]
    params = data.draw(st.dictionaries(st.sampled_from(keys), st.sampled_from(EDGE_TEXT) | st.text(max_size=8),
                                       max_size=4), label="query")
    response = bearer_client(world.ana.user).get(API + path + "?" + urlencode(params))
    assert response.status_code < 500, (path, params, response.content)
