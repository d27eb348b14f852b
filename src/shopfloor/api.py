"""The public API v1 (API.md): one NinjaAPI, a router per app."""

from django.db import DataError
from ninja import NinjaAPI

from shopfloor.access import NotAllowed, NotVisible
from shopfloor.accounts.api import router as accounts_router
from shopfloor.apikit import AUTH
from shopfloor.catalog.api import router as catalog_router
from shopfloor.customers.api import router as customers_router
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.orders.api import router as orders_router

api = NinjaAPI(
    title="Shopfloor API",
    version="1",
    description=(
        "Assisted selling: stores, associates, customers, catalog, orders. "
        "Authenticate with `Authorization: Bearer <token>` (`shopfloor token create --email EMAIL`). "
        "Any POST accepts an `Idempotency-Key` header: the same key and body within 24 hours "
        "answers the first response and changes nothing. Lists take `?limit=&offset=` and answer "
        '`{"items": [...], "count": N}`. Errors are `{"detail": ...}`; invalid input is 422 with '
        "the location of each bad field."
    ),
    auth=AUTH,
    urls_namespace="api",
)

api.add_router("", accounts_router)
api.add_router("", customers_router)
api.add_router("", catalog_router)
api.add_router("", orders_router)


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


@api.exception_handler(DataError)
def data_error(request, exc):
    # The database refused a value the schema let through (e.g. out of a column's range).
    return api.create_response(request, {"detail": [{"loc": ["body"], "msg": "A value is out of range."}]},
                               status=422)
