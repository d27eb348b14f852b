"""The public API v1 (API.md): one NinjaAPI, a router per app."""

from django.db import DataError
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from shopfloor.access import NotAllowed, NotVisible
from shopfloor.accounts.api import router as accounts_router
from shopfloor.apikit import AUTH, ApiParser, RefusedBody
from shopfloor.attribution.api import router as attribution_router
from shopfloor.attribution.coupons.api import router as coupons_router
from shopfloor.catalog.api import router as catalog_router
from shopfloor.clienteling.api import router as clienteling_router
from shopfloor.commissions.api import router as commissions_router
from shopfloor.comms.api import router as comms_router
from shopfloor.customers.api import router as customers_router
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.lists.api import router as lists_router
from shopfloor.live.api import router as live_router
from shopfloor.lookbooks.api import router as lookbooks_router
from shopfloor.orders.api import router as orders_router
from shopfloor.orders.on_behalf.api import router as on_behalf_router
from shopfloor.outreach.api import router as outreach_router


class ShopfloorApi(NinjaAPI):
    def validation_error_from_error_contexts(self, error_contexts) -> ValidationError:
        """Invalid input as `{"loc": ["body", "email"], "msg": ...}`, the locations services use too.

        django-ninja puts the name of the view's body parameter (`payload`) into
        each location; it is an implementation detail, so it is dropped.
        """
        error = super().validation_error_from_error_contexts(error_contexts)
        body_names = {
            getattr(context.model, "__read_from_single_attr__", None)
            for context in error_contexts
            if context.model.__ninja_param_source__ == "body"
        } - {None}
        for item in error.errors:
            loc = list(item["loc"])
            if len(loc) > 1 and loc[0] == "body" and loc[1] in body_names:
                del loc[1]
            item["loc"] = loc
        return error


api = ShopfloorApi(
    title="Shopfloor API",
    version="1",
    description=(
        "Assisted selling: stores, associates, customers, catalog, orders. "
        "Authenticate with `Authorization: Bearer <token>` (`shopfloor token create --email EMAIL`). "
        "Any POST accepts an `Idempotency-Key` header: the same key and body within 24 hours "
        "answers the first response (status 200, header `Idempotent-Replayed: true`) and changes "
        "nothing; the same key with another body is refused (422). Lists take `?limit=&offset=` and "
        'answer `{"items": [...], "count": N}`. Errors are `{"detail": ...}`; invalid input is 422 '
        'with the location of each bad field: `{"detail": [{"loc": ["body", "email"], "msg": "..."}]}`. '
        "A record you may not see answers 404, like one that does not exist; an id you may not see in a body "
        "answers 422 naming the field, like an unknown id. A request answered with an error writes nothing."
    ),
    auth=AUTH,
    parser=ApiParser(),
    urls_namespace="api",
)

api.add_router("", accounts_router)
api.add_router("", customers_router)
api.add_router("", catalog_router)
# Before the orders router: /orders/on-behalf would otherwise match /orders/{order_id}.
api.add_router("", on_behalf_router)
api.add_router("", orders_router)
api.add_router("", attribution_router)
api.add_router("", coupons_router)
api.add_router("", commissions_router)
api.add_router("", comms_router)
api.add_router("", lists_router)
api.add_router("", clienteling_router)
api.add_router("", lookbooks_router)
api.add_router("", outreach_router)
api.add_router("", live_router)


@api.exception_handler(NotVisible)
def not_visible(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(NotAllowed)
def not_allowed(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Your role may not do this."}, status=403)


@api.exception_handler(InvalidInput)
def invalid_input(request, exc):
    return api.create_response(request, {"detail": exc.as_detail()}, status=422)


@api.exception_handler(Conflict)
def conflict(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(HttpError)
def http_error(request, exc):
    # A body that does not parse is invalid input like any other (422 with a location).
    if isinstance(exc.__cause__, RefusedBody):
        refused = exc.__cause__
        return api.create_response(
            request, {"detail": [{"loc": refused.loc, "msg": str(refused), "type": "value_error"}]},
            status=422,
        )
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(DataError)
def data_error(request, exc):
    # The database refused a value the schema let through (e.g. out of a column's range).
    return api.create_response(request, {"detail": [{"loc": ["body"], "msg": "A value is out of range."}]},
                               status=422)
