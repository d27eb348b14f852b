"""Every id in a write's body is checked: an unknown one answers 422 naming the field, and nothing is written.

The operations come from the OpenAPI document, so a new endpoint cannot slip past: every POST, PUT and
PATCH whose JSON body has a field named `*_id` (an integer) or `*_ids` (a list of integers), at the top
or inside a list of objects (`reps[].associate_id`), must have a valid body in `VALID_WRITES`. Each
(operation, field) pair is its own test: the valid body with that one field set to an unknown id.
"""

import copy
import typing
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.apps import apps
from pydantic import BaseModel

from shopfloor.access import actor_for
from shopfloor.accounts.models import AgentGroup, ApiToken
from shopfloor.api import api
from shopfloor.catalog.models import Product
from shopfloor.clienteling.services import create_task
from shopfloor.commissions.models import CommissionRule
from shopfloor.customers.models import Agency, Business, CustomerGroup, CustomerStatus
from shopfloor.lists.services import create_list
from shopfloor.lookbooks.services import create_look
from shopfloor.outreach.models import MessageTemplate, Purpose
from tests.conftest import bearer_client
from tests.factories import make_customer

API_PREFIX = "/api/v1/"
UNKNOWN_ID = 999_999

# Where a field sits in a body: names, with 0 for "the first item of this list of objects".
FieldPath = tuple[str | int, ...]


# The operations and their id fields, read from the OpenAPI document ---------------------------------


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _alternatives(schema: dict, components: dict):
    """The schemas a value may match: `anyOf`/`oneOf`/`allOf` unfolded, references resolved."""
    schema = _resolve(schema, components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            for option in schema[key]:
                yield from _alternatives(option, components)
            return
    yield schema


def _is_integer_list(schema: dict, components: dict) -> bool:
    return schema.get("type") == "array" and any(
        item.get("type") == "integer" for item in _alternatives(schema.get("items", {}), components)
    )


def _id_fields(schema: dict, components: dict, prefix: FieldPath = ()) -> set[tuple[FieldPath, bool]]:
    """(where, is_list) of every id field of an object schema, inside lists of objects too."""
    found = set()
    for alternative in _alternatives(schema, components):
        for name, property_schema in (alternative.get("properties") or {}).items():
            for option in _alternatives(property_schema, components):
                if name.endswith("_id") and option.get("type") == "integer":
                    found.add(((*prefix, name), False))
                elif name.endswith("_ids") and _is_integer_list(option, components):
                    found.add(((*prefix, name), True))
                elif option.get("type") == "array":
                    for item in _alternatives(option.get("items", {}), components):
                        if item.get("properties"):
                            found |= _id_fields(item, components, (*prefix, name, 0))
                elif option.get("properties"):
                    found |= _id_fields(option, components, (*prefix, name))
    return found


def write_operations_with_ids() -> dict[str, list[tuple[FieldPath, bool]]]:
    """"METHOD /api/v1/path" → its body's id fields, for every write operation that has any."""
    document = api.get_openapi_schema()
    components = document.get("components", {}).get("schemas", {})
    operations = {}
    for path, methods in document["paths"].items():
        if not path.startswith(API_PREFIX):
            continue
        for method, operation in methods.items():
            if method not in ("post", "put", "patch"):
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            fields = _id_fields(body["schema"], components) if "schema" in body else set()
            if fields:
                operations[f"{method.upper()} {path}"] = sorted(fields, key=lambda item: [str(p) for p in item[0]])
    return operations


OPERATIONS = write_operations_with_ids()


# Valid bodies -----------------------------------------------------------------------------------------


class Records:
    """The world, and one record of each kind a write refers to."""

    def __init__(self, world):
        self.world = world
        admin = actor_for(world.admin)
        ana = actor_for(world.ana.user)
        self.product = Product.objects.create(sku="LAMP-1", name="Lamp", price=Decimal("40.00"))
        self.group = CustomerGroup.objects.create(name="Trade")
        self.business = Business.objects.create(name="Casa Lda")
        self.agency = Agency.objects.create(business=self.business, name="Casa Agents")
        self.agent_group = AgentGroup.objects.create(name="Lisbon agents")
        self.pending = make_customer(world.north, "Paula", "Pending", status=CustomerStatus.PENDING)
        world.anas_customer.email_opt_in = True
        world.anas_customer.save(update_fields=["email_opt_in"])
        self.list = create_list(ana, world.anas_customer, "Living room")
        self.brunos_list = create_list(actor_for(world.bruno.user), world.brunos_customer, "Hall")
        self.look = create_look(ana, {"title": "Spring", "items": [{"sku": self.product.sku}]})
        self.task = create_task(admin, {"title": "Call back", "customer_id": world.anas_customer.pk,
                                        "assignee_id": world.ana.pk})
        self.template = MessageTemplate.objects.create(
            name="Receipt", channel="email", purpose=Purpose.TRANSACTIONAL, subject="Your order", body="Thanks!",
        )
        self.rule = CommissionRule.objects.create(name="Five percent", kind="percentage", value=Decimal("5"))


@dataclass(frozen=True)
class Write:
    """How to send one write operation validly: its path ids, its body and who sends it."""

    body: Callable[[Records], dict]
    path: Callable[[Records], dict] = lambda records: {}
    # The world's person who sends it (their login's bearer token); admins unless the role cannot.
    sender: str = "admin"


def _lines(records: Records) -> list[dict]:
    return [{"sku": records.product.sku, "quantity": 1, "unit_price": "40.00"}]


def _customer_references(records: Records, associate) -> dict:
    world = records.world
    return {"store_id": world.north.pk, "group_id": records.group.pk, "business_id": records.business.pk,
            "assigned_associate_ids": [associate.pk], "primary_associate_id": associate.pk}


def _order(records: Records) -> dict:
    world = records.world
    return {"external_id": "ERP-1", "customer_id": world.anas_customer.pk, "store_id": world.north.pk,
            "placed_by_associate_id": world.ana.pk, "lines": _lines(records)}


def _rule(records: Records) -> dict:
    world = records.world
    return {"name": "Trade bonus", "value": "3", "associate_ids": [world.ana.pk],
            "customer_group_ids": [records.group.pk], "customer_ids": [world.anas_customer.pk]}


VALID_WRITES: dict[str, Write] = {
    # Identity and organisation
    "POST /api/v1/associates": Write(
        body=lambda r: {"name": "Nina Novo", "store_id": r.world.north.pk, "parent_id": r.world.ana.pk},
    ),
    "PATCH /api/v1/associates/{associate_id}": Write(
        path=lambda r: {"associate_id": r.world.bruno.pk},
        body=lambda r: {"store_id": r.world.north.pk, "parent_id": r.world.ana.pk},
    ),
    "POST /api/v1/customer-groups": Write(
        body=lambda r: {"name": "Designers", "associate_ids": [r.world.ana.pk]},
    ),
    "PATCH /api/v1/customer-groups/{group_id}": Write(
        path=lambda r: {"group_id": r.group.pk},
        body=lambda r: {"name": "Trade", "associate_ids": [r.world.ana.pk]},
    ),
    "POST /api/v1/agencies": Write(
        body=lambda r: {"business_id": r.business.pk, "name": "North Agents",
                        "reps": [{"code": "R-1", "associate_id": r.world.ana.pk}]},
    ),
    "PUT /api/v1/agencies/{agency_id}": Write(
        path=lambda r: {"agency_id": r.agency.pk},
        body=lambda r: {"business_id": r.business.pk, "name": "Casa Agents",
                        "reps": [{"code": "R-2", "associate_id": r.world.bruno.pk}]},
    ),
    # Customers
    "POST /api/v1/customers": Write(
        body=lambda r: {"first_name": "Gil", "last_name": "Gomes", **_customer_references(r, r.world.ana)},
    ),
    "PATCH /api/v1/customers/{customer_id}": Write(
        path=lambda r: {"customer_id": r.world.brunos_customer.pk},
        body=lambda r: _customer_references(r, r.world.bruno),
    ),
    "POST /api/v1/customers/{customer_id}/approve": Write(
        path=lambda r: {"customer_id": r.pending.pk},
        body=lambda r: {"associate_id": r.world.ana.pk, "group_id": r.group.pk},
    ),
    # Orders and attribution
    "POST /api/v1/orders": Write(body=_order),
    "POST /api/v1/orders/on-behalf": Write(
        sender="ana",  # only associates and managers sell on a customer's behalf
        body=lambda r: {"customer_id": r.world.anas_customer.pk, "lines": [{"sku": r.product.sku, "quantity": 1}]},
    ),
    "POST /api/v1/interactions": Write(
        body=lambda r: {"kind": "call", "customer_id": r.world.anas_customer.pk, "associate_id": r.world.ana.pk},
    ),
    # Commissions and coupons
    "POST /api/v1/coupons": Write(
        body=lambda r: {"code": "ANA10", "associate_id": r.world.ana.pk, "kind": "percent", "value": "10"},
    ),
    "POST /api/v1/commission-rules": Write(body=_rule),
    "PATCH /api/v1/commission-rules/{rule_id}": Write(path=lambda r: {"rule_id": r.rule.pk}, body=_rule),
    "POST /api/v1/commissions/simulate": Write(
        body=lambda r: {**_order(r), "associate_id": r.world.ana.pk},
    ),
    "PUT /api/v1/commission-settings": Write(
        body=lambda r: {"hold_days": 14, "override_levels": [{"level": 1, "rate": "5"}],
                        "agent_override_rates": [{"associate_id": r.world.ana.pk, "rate": "3"}]},
    ),
    "PATCH /api/v1/commission-settings": Write(
        body=lambda r: {"agent_override_rates": [{"associate_id": r.world.ana.pk, "rate": "3"}]},
    ),
    "POST /api/v1/adjustments": Write(
        body=lambda r: {"associate_id": r.world.ana.pk, "amount": "5.00", "reason": "Window display"},
    ),
    "POST /api/v1/payouts": Write(
        body=lambda r: {"associate_id": r.world.ana.pk, "amount": "5.00", "method": "bank",
                        "confirm_over_balance": True},
    ),
    # Comms
    "POST /api/v1/announcements": Write(
        body=lambda r: {"title": "Inventory", "body": "Friday.", "audience": "stores",
                        "store_ids": [r.world.north.pk], "agent_group_ids": [r.agent_group.pk]},
    ),
    "POST /api/v1/threads": Write(
        body=lambda r: {"kind": "retailer", "subject": "Rota", "body": "Can you swap?", "associate_id": r.world.ana.pk},
    ),
    # Lists
    "POST /api/v1/lists": Write(body=lambda r: {"customer_id": r.world.anas_customer.pk, "name": "Bedroom"}),
    "POST /api/v1/lists/save": Write(body=lambda r: {"sku": r.product.sku, "list_ids": [r.list.pk]}),
    "POST /api/v1/lists/{list_id}/duplicate": Write(
        path=lambda r: {"list_id": r.list.pk},
        body=lambda r: {"customer_id": r.world.brunos_customer.pk},
    ),
    # Clienteling
    "POST /api/v1/tasks": Write(
        body=lambda r: {"title": "Fitting", "customer_id": r.world.anas_customer.pk, "assignee_id": r.world.ana.pk},
    ),
    "PATCH /api/v1/tasks/{task_id}": Write(
        path=lambda r: {"task_id": r.task.pk},
        body=lambda r: {"assignee_id": r.world.nora.pk},
    ),
    # Lookbooks: an associate's own work
    "POST /api/v1/lookbooks": Write(
        sender="ana",
        body=lambda r: {"customer_id": r.world.anas_customer.pk, "title": "For you"},
    ),
    "POST /api/v1/looks/{look_id}/share": Write(
        sender="ana",
        path=lambda r: {"look_id": r.look.pk},
        body=lambda r: {"customer_ids": [r.world.anas_customer.pk]},
    ),
    # Outreach
    "POST /api/v1/outreach": Write(
        body=lambda r: {"customer_id": r.world.anas_customer.pk, "channel": "email", "template_id": r.template.pk},
    ),
    "POST /api/v1/outreach-templates": Write(
        body=lambda r: {"name": "Hello", "body": "Hello {{first_name}}", "store_id": r.world.north.pk},
    ),
    "PATCH /api/v1/outreach-templates/{template_id}": Write(
        path=lambda r: {"template_id": r.template.pk},
        body=lambda r: {"store_id": r.world.south.pk},
    ),
}


# Helpers ----------------------------------------------------------------------------------------------


def _label(path: FieldPath) -> str:
    return ".".join("[]" if part == 0 else part for part in path).replace(".[]", "[]")


def _cases():
    for operation, fields in sorted(OPERATIONS.items()):
        for path, is_list in fields:
            yield pytest.param(operation, path, is_list, id=f"{operation} {_label(path)}")


def _with_unknown_id(body: dict, path: FieldPath, is_list: bool) -> dict:
    body = copy.deepcopy(body)
    container = body
    for part in path[:-1]:
        container = container[part]
    container[path[-1]] = [UNKNOWN_ID] if is_list else UNKNOWN_ID
    return body


def _send(client, operation: str, url: str, body: dict):
    method = operation.split(" ", 1)[0].lower()
    return getattr(client, method)(url, body, content_type="application/json")


def _prepare(world, operation: str):
    write = VALID_WRITES.get(operation)
    if write is None:
        pytest.fail(f"{operation} has id fields in its body but no valid body in VALID_WRITES: add one.")
    records = Records(world)
    url = operation.split(" ", 1)[1].format(**write.path(records))
    sender = world.admin if write.sender == "admin" else getattr(world, write.sender).user
    return write, records, url, bearer_client(sender)


def everything() -> dict:
    """Every row of every Shopfloor table (API tokens: how many, as using one stamps its last use)."""
    rows = {}
    for model in apps.get_models():
        if not model.__module__.startswith("shopfloor."):
            continue
        if model is ApiToken:
            rows[model.__name__] = model.objects.count()
        else:
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


# Tests ------------------------------------------------------------------------------------------------


def test_every_write_operation_with_ids_has_a_valid_body_and_no_body_is_stale():
    assert sorted(set(OPERATIONS) - set(VALID_WRITES)) == []
    assert sorted(set(VALID_WRITES) - set(OPERATIONS)) == []


def test_the_walk_finds_ids_at_the_top_in_lists_and_inside_lists_of_objects():
    assert (("store_id",), False) in OPERATIONS["POST /api/v1/associates"]
    assert (("assigned_associate_ids",), True) in OPERATIONS["POST /api/v1/customers"]
    assert (("reps", 0, "associate_id"), False) in OPERATIONS["POST /api/v1/agencies"]
    assert (("store_id",), False) in OPERATIONS["PATCH /api/v1/outreach-templates/{template_id}"]


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_the_valid_body_succeeds(world, operation):
    write, records, url, client = _prepare(world, operation)
    response = _send(client, operation, url, write.body(records))
    assert 200 <= response.status_code < 300, response.content


@pytest.mark.parametrize(("operation", "path", "is_list"), list(_cases()))
def test_an_unknown_id_is_a_422_naming_the_field_and_writes_nothing(world, operation, path, is_list):
    write, records, url, client = _prepare(world, operation)
    body = _with_unknown_id(write.body(records), path, is_list)
    before = everything()

    response = _send(client, operation, url, body)

    assert response.status_code == 422, response.content
    locations = [item["loc"] for item in response.json()["detail"]]
    expected = ["body", *path]
    assert any(loc == expected or (is_list and loc == [*expected, 0]) for loc in locations), locations
    assert everything() == before


def _models_in(annotation, found: set) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for model_field in annotation.model_fields.values():
                _models_in(model_field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _models_in(argument, found)


def test_no_two_schemas_share_a_name_so_the_document_shows_each_body():
    # The document keys schemas by class name: a second class of the same name replaced the first, and
    # PATCH /commission-rules/{rule_id} was documented with the task rules' body (no id fields to walk).
    models: set = set()
    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            for operation in view.operations:
                for model in [*operation.models, *(operation.response_models or {}).values()]:
                    _models_in(model, models)
    names = defaultdict(set)
    for model in models:
        names[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    assert {name: sorted(paths) for name, paths in names.items() if len(paths) > 1} == {}


# What the sender may not see is unknown to them: the same answer as for an id that exists nowhere.
HIDDEN = [
    # (sender, operation, path ids, body with the hidden reference, the field)
    ("ana", "POST /api/v1/lists", lambda r: {}, lambda r: {"customer_id": r.world.brunos_customer.pk, "name": "Hall"},
     "customer_id"),
    ("ana", "POST /api/v1/lists/save", lambda r: {}, lambda r: {"sku": r.product.sku, "list_ids": [r.brunos_list.pk]},
     "list_ids"),
    ("ana", "POST /api/v1/lists/{list_id}/duplicate", lambda r: {"list_id": r.list.pk},
     lambda r: {"customer_id": r.world.brunos_customer.pk}, "customer_id"),
    ("ana", "POST /api/v1/lookbooks", lambda r: {},
     lambda r: {"customer_id": r.world.brunos_customer.pk, "title": "Hi"}, "customer_id"),
    ("ana", "POST /api/v1/looks/{look_id}/share", lambda r: {"look_id": r.look.pk},
     lambda r: {"customer_ids": [r.world.brunos_customer.pk]}, "customer_ids"),
    ("ana", "POST /api/v1/outreach", lambda r: {},
     lambda r: {"customer_id": r.world.brunos_customer.pk, "channel": "email", "body": "Hello"}, "customer_id"),
    ("ana", "POST /api/v1/interactions", lambda r: {},
     lambda r: {"kind": "chat", "customer_id": r.world.brunos_customer.pk}, "customer_id"),
    ("ana", "POST /api/v1/orders/on-behalf", lambda r: {},
     lambda r: {"customer_id": r.world.brunos_customer.pk, "lines": [{"sku": r.product.sku, "quantity": 1}]},
     "customer_id"),
    ("ana", "POST /api/v1/tasks", lambda r: {}, lambda r: {"title": "Call", "customer_id": r.world.brunos_customer.pk},
     "customer_id"),
    ("nora", "POST /api/v1/tasks", lambda r: {}, lambda r: {"title": "Call", "assignee_id": r.world.tom.pk},
     "assignee_id"),
    ("nora", "POST /api/v1/interactions", lambda r: {},
     lambda r: {"kind": "chat", "customer_id": r.world.brunos_customer.pk, "associate_id": r.world.tom.pk},
     "associate_id"),
    ("nora", "POST /api/v1/threads", lambda r: {},
     lambda r: {"subject": "Rota", "body": "Hello", "associate_id": r.world.tom.pk}, "associate_id"),
    ("nora", "POST /api/v1/customers", lambda r: {},
     lambda r: {"first_name": "Gil", "store_id": r.world.north.pk, "assigned_associate_ids": [r.world.tom.pk]},
     "assigned_associate_ids"),
    ("nora", "PATCH /api/v1/customers/{customer_id}", lambda r: {"customer_id": r.world.brunos_customer.pk},
     lambda r: {"primary_associate_id": r.world.tom.pk}, "primary_associate_id"),
    ("nora", "POST /api/v1/customers/{customer_id}/approve", lambda r: {"customer_id": r.pending.pk},
     lambda r: {"associate_id": r.world.tom.pk}, "associate_id"),
]


@pytest.mark.parametrize(("sender", "operation", "path", "body", "field_name"), HIDDEN,
                         ids=[f"{case[0]} {case[1]} {case[4]}" for case in HIDDEN])
def test_an_id_the_sender_may_not_see_answers_exactly_like_an_unknown_one(world, sender, operation, path, body,
                                                                         field_name):
    records = Records(world)
    url = operation.split(" ", 1)[1].format(**path(records))
    client = bearer_client(getattr(world, sender).user)
    hidden_body = body(records)
    hidden_id = hidden_body[field_name][0] if isinstance(hidden_body[field_name], list) else hidden_body[field_name]
    unknown_body = _with_unknown_id(hidden_body, (field_name,), isinstance(hidden_body[field_name], list))
    before = everything()

    hidden = _send(client, operation, url, hidden_body)
    unknown = _send(client, operation, url, unknown_body)

    assert hidden.status_code == unknown.status_code == 422, (hidden.content, unknown.content)
    assert [item["loc"] for item in hidden.json()["detail"]] == [["body", field_name]]
    # Only the id itself may differ (messages that list the unknown ids name it).
    assert hidden.content.decode().replace(str(hidden_id), str(UNKNOWN_ID)) == unknown.content.decode()
    assert everything() == before
