"""Writes on customers: create, update, the ERP's bulk upsert, assignment, approval, registration."""

from dataclasses import dataclass, field

from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from shopfloor import references
from shopfloor.access import Actor, NotAllowed, can_manage_customer, visible_associates
from shopfloor.accounts.models import Associate, RepCode, Store, User
from shopfloor.accounts.services import clean_email, record_event
from shopfloor.customers.models import (
    Agency,
    AgencyRep,
    Business,
    Customer,
    CustomerAssignment,
    CustomerGroup,
    CustomerRepCode,
    CustomerStatus,
)
from shopfloor.errors import Conflict, InvalidInput
from shopfloor.phones import normalize_phone, search_digits

PLAIN_FIELDS = ("first_name", "last_name", "birthday", "status", "external_id")
TEXT_FIELDS = ("first_name", "last_name")


def refresh_search_fields(customer: Customer) -> None:
    """Keep the lower-cased search columns in step with the contact data."""
    customer.search_first_name = (customer.first_name or "").strip().lower()[:100]
    customer.search_last_name = (customer.last_name or "").strip().lower()[:100]
    customer.search_email = (customer.email or "").strip().lower()
    customer.search_phone = search_digits(customer.phone)


def _clean(data: dict, customer: Customer, creating: bool, actor: Actor | None = None) -> dict:
    """Resolve references and normalise contact data; raise InvalidInput naming every bad field.

    Associates are those the actor sees (`actor` None: any, for a shopper's own registration)."""
    errors = []
    clean = {}

    def fail(name, message):
        errors.append((("body", name), message))

    for name in PLAIN_FIELDS:
        if name in data:
            clean[name] = data[name]
    for name in TEXT_FIELDS:
        if name in clean:
            # A null name is an empty one: the columns hold text, never NULL.
            clean[name] = (clean[name] or "").strip()
    if "external_id" in clean:
        clean["external_id"] = (clean["external_id"] or "").strip() or None
    if "status" in clean and clean["status"] not in CustomerStatus.values:
        fail("status", f"Must be one of {', '.join(CustomerStatus.values)}.")
    if "email" in data:
        try:
            clean["email"] = clean_email(data["email"])
        except ValueError as exc:
            fail("email", str(exc))
    store = customer.store if customer.store_id else None
    if data.get("store_id") is not None:
        store = clean["store"] = references.one(Store.objects.all(), data["store_id"], "store_id", errors=errors)
    elif creating:
        fail("store_id", "Field required.")
    if "phone" in data:
        try:
            clean["phone"] = normalize_phone(data["phone"] or "", store)
        except ValueError as exc:
            fail("phone", str(exc))
    for name, model in (("group_id", CustomerGroup), ("business_id", Business)):
        if name in data:
            clean[name.removesuffix("_id")] = references.one(model.objects.all(), data[name], name, errors=errors)
    if "tags" in data:
        tags = data["tags"] or []
        clean["tags"] = sorted({str(tag).strip()[:50] for tag in tags if str(tag).strip()})
    for channel in ("email", "sms"):
        name = f"{channel}_opt_in"
        if name in data and data[name] is not None:
            clean[name] = bool(data[name])
    if "rep_codes" in data:
        codes = data["rep_codes"] or []
        clean["rep_codes"] = sorted({str(code).strip() for code in codes if str(code).strip()})
        if any(len(code) > 64 for code in clean["rep_codes"]):
            fail("rep_codes", "A rep code is at most 64 characters.")
    if "assigned_associate_ids" in data or data.get("primary_associate_id") is not None:
        associates = Associate.objects.all() if actor is None else visible_associates(actor)
        _clean_assignments(data, customer, creating, clean, associates, errors)
    if errors:
        raise InvalidInput(errors)
    return clean


def _clean_assignments(data: dict, customer: Customer, creating: bool, clean: dict, associates,
                       errors: list) -> None:
    """Who is assigned and who is primary, among `associates` (those the actor may assign).

    Given only `primary_associate_id`, the other assignments stay. Given only
    `assigned_associate_ids`, the current primary stays primary if still assigned,
    else the first listed becomes primary.
    """
    current = [] if creating else list(
        customer.assignments.order_by("-is_primary", "created_at", "id")
        .values_list("associate_id", "is_primary")
    )
    if "assigned_associate_ids" in data:
        ids = list(dict.fromkeys(data["assigned_associate_ids"] or []))
        references.many(associates, ids, "assigned_associate_ids", errors=errors)
    else:
        ids = [associate_id for associate_id, _ in current]
    primary = data.get("primary_associate_id")
    if primary is None:
        current_primary = next((associate_id for associate_id, is_primary in current if is_primary), None)
        primary = current_primary if current_primary in ids else (ids[0] if ids else None)
    elif primary not in ids:
        references.one(associates, primary, "primary_associate_id", errors=errors)
        ids.insert(0, primary)
    clean["assigned_associate_ids"] = ids
    clean["primary_associate_id"] = primary


def _apply(customer: Customer, clean: dict) -> bool:
    """Copy clean values onto the customer; True when anything changed."""
    changed = False
    now = timezone.now()
    for name in (*PLAIN_FIELDS, "email", "phone", "tags"):
        if name in clean and getattr(customer, name) != clean[name]:
            setattr(customer, name, clean[name])
            changed = True
    for name in ("store", "group", "business"):
        # Compared by id: a new customer has no store to read yet.
        if name in clean and getattr(customer, f"{name}_id") != (clean[name].pk if clean[name] else None):
            setattr(customer, name, clean[name])
            changed = True
    for channel in ("email", "sms"):
        name = f"{channel}_opt_in"
        if name in clean and getattr(customer, name) != clean[name]:
            setattr(customer, name, clean[name])
            # Consent records when it was given; withdrawing it clears the time.
            setattr(customer, f"{name}_at", now if clean[name] else None)
            changed = True
    return changed


def _sync_rep_codes(customer: Customer, codes: list[str]) -> bool:
    existing = set(customer.rep_codes.values_list("code", flat=True))
    wanted = set(codes)
    if existing == wanted:
        return False
    customer.rep_codes.exclude(code__in=wanted).delete()
    CustomerRepCode.objects.bulk_create(
        [CustomerRepCode(customer=customer, code=c) for c in sorted(wanted - existing)]
    )
    return True


def _sync_assignments(customer: Customer, associate_ids: list[int], primary_id: int | None) -> bool:
    current = {a.associate_id: a.is_primary for a in customer.assignments.all()}
    wanted = {pk: pk == primary_id for pk in associate_ids}
    if current == wanted:
        return False
    customer.assignments.exclude(associate_id__in=associate_ids).delete()
    # Clear the old primary first: the one-primary constraint holds at every statement.
    customer.assignments.filter(is_primary=True).exclude(associate_id=primary_id).update(is_primary=False)
    for pk in associate_ids:
        CustomerAssignment.objects.update_or_create(
            customer=customer, associate_id=pk, defaults={"is_primary": pk == primary_id}
        )
    return True


def _write(actor: Actor, customer: Customer, clean: dict, creating: bool) -> bool:
    changed = _apply(customer, clean)
    if creating or changed:
        refresh_search_fields(customer)
        customer.save()
    if "rep_codes" in clean:
        changed = _sync_rep_codes(customer, clean["rep_codes"]) or changed
    if "assigned_associate_ids" in clean:
        ids, primary = clean["assigned_associate_ids"], clean["primary_associate_id"]
        changed = _sync_assignments(customer, ids, primary) or changed
    if creating or changed:
        record_event(actor.user, "customer.created" if creating else "customer.updated", customer)
    return creating or changed


def _integrity_error(exc: IntegrityError) -> InvalidInput | Conflict:
    if "external_id" in str(exc).lower():
        return InvalidInput.field("external_id", "Another customer has this external id.")
    return Conflict("The customer clashes with an existing record.")


def create_customer(actor: Actor, data: dict) -> Customer:
    """A new customer profile; an associate's new customer is in their store and assigned to them."""
    customer = Customer()
    clean = _clean(data, customer, creating=True, actor=actor)
    if not actor.is_admin and actor.associate is not None:
        if clean["store"].pk != actor.store.pk:
            raise InvalidInput.field("store_id", "Associates create customers in their own store.")
        ids = clean.get("assigned_associate_ids") or []
        mine = actor.associate.pk in ids
        # Without this an associate (associate mode) could create a customer they cannot see.
        if not actor.is_manager and not mine and (not ids or not actor.sees_whole_store):
            clean["assigned_associate_ids"] = [*ids, actor.associate.pk]
            clean["primary_associate_id"] = clean.get("primary_associate_id") or actor.associate.pk
    try:
        with transaction.atomic():
            _write(actor, customer, clean, creating=True)
    except IntegrityError as exc:
        raise _integrity_error(exc)
    return customer


def _changes_ownership(customer: Customer, clean: dict) -> bool:
    """Whether the update moves the customer to another store, status or set of associates."""
    if "store" in clean and clean["store"].pk != customer.store_id:
        return True
    if "status" in clean and clean["status"] != customer.status:
        return True
    if "assigned_associate_ids" in clean:
        current = {a.associate_id: a.is_primary for a in customer.assignments.all()}
        wanted = {pk: pk == clean["primary_associate_id"] for pk in clean["assigned_associate_ids"]}
        return current != wanted
    return False


def update_customer(actor: Actor, customer: Customer, data: dict) -> Customer:
    """Change a customer; only admins and the store's managers change its store, status or associates."""
    clean = _clean(data, customer, creating=False, actor=actor)
    if _changes_ownership(customer, clean) and not can_manage_customer(actor, customer):
        raise NotAllowed(
            "Only admins and the store's managers change a customer's store, status or associates."
        )
    if "store" in clean and clean["store"].pk != customer.store_id and not actor.is_admin:
        # A manager would lose sight of the customer they just moved.
        raise NotAllowed("Only admins move a customer to another store.")
    try:
        with transaction.atomic():
            _write(actor, customer, clean, creating=False)
    except IntegrityError as exc:
        raise _integrity_error(exc)
    return customer


# The ERP's bulk upsert ---------------------------------------------------------


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def _row_error(index: int, external_id, loc: tuple, message: str) -> dict:
    return {"index": index, "external_id": external_id,
            "detail": [{"loc": ["body", "customers", index, *loc], "msg": message}]}


def bulk_upsert_customers(actor: Actor, rows: list[tuple[int, dict]]) -> BulkResult:
    """Upsert customers by external_id; each row is written whole or not at all.

    `rows` are (index in the payload, row) pairs, so errors and warnings name the
    payload's index. A row equal to what is stored writes nothing (not even updated_at).
    """
    result = BulkResult()
    for index, row in rows:
        external_id = row.get("external_id")
        external_id = external_id.strip() if isinstance(external_id, str) else None
        if not external_id:
            result.errors.append(
                _row_error(index, row.get("external_id"), ("external_id",), "Field required.")
            )
            continue
        try:
            with transaction.atomic():
                customer = Customer.objects.select_for_update().filter(external_id=external_id).first()
                creating = customer is None
                customer = customer or Customer()
                clean = _clean(row, customer, creating=creating, actor=actor)
                changed = _write(actor, customer, clean, creating=creating)
        except InvalidInput as exc:
            result.errors.append({"index": index, "external_id": external_id, "detail": [
                {"loc": ["body", "customers", index, *loc[1:]], "msg": msg} for loc, msg in exc.errors]})
            continue
        except IntegrityError as exc:
            result.errors.append(_row_error(index, external_id, (), str(_integrity_error(exc))))
            continue
        except DataError:
            # The database refused a value (a length or range the schema does not know).
            result.errors.append(_row_error(index, external_id, (), "A value is out of range."))
            continue
        if creating:
            result.created += 1
        elif changed:
            result.updated += 1
        else:
            result.unchanged += 1
        for code in unmapped_rep_codes(customer):
            result.warnings.append({
                "index": index, "external_id": external_id, "rep_code": code,
                "detail": f"Rep code {code} is not mapped to an associate yet; "
                          "it is kept and resolves once an agency maps it.",
            })
    return result


# Sales representatives ------------------------------------------------------------


def _mapped_codes(customer: Customer, codes: list[str]) -> dict[str, list[int]]:
    """Rep code → associate ids, through the customer's business's agencies and global rep codes."""
    mapping: dict[str, list[int]] = {}
    if customer.business_id:
        for code, associate_id in AgencyRep.objects.filter(
            agency__business_id=customer.business_id, code__in=codes
        ).values_list("code", "associate_id"):
            mapping.setdefault(code, []).append(associate_id)
    for code, associate_id in RepCode.objects.filter(code__in=codes).values_list("code", "associate_id"):
        mapping.setdefault(code, []).append(associate_id)
    return mapping


def unmapped_rep_codes(customer: Customer) -> list[str]:
    codes = list(customer.rep_codes.values_list("code", flat=True))
    mapped = _mapped_codes(customer, codes)
    return [code for code in codes if code not in mapped]


def customer_reps(customer: Customer) -> list[Associate]:
    """The customer's sales representatives: assigned associates (primary first), then rep codes."""
    ordered: list[int] = list(
        customer.assignments.order_by("-is_primary", "created_at", "id")
        .values_list("associate_id", flat=True)
    )
    codes = list(customer.rep_codes.values_list("code", flat=True))
    mapping = _mapped_codes(customer, codes)
    for code in codes:
        for associate_id in mapping.get(code, []):
            if associate_id not in ordered:
                ordered.append(associate_id)
    associates = Associate.objects.in_bulk(ordered)
    return [associates[pk] for pk in ordered if pk in associates and associates[pk].active]


# Approval and registration -------------------------------------------------------------


def approve_customer(actor: Actor, customer: Customer, associate_id: int | None = None,
                     group_id: int | None = None) -> Customer:
    """Approve a pending registration, into the group `group_id` when given; the chosen associate, else the
    group's agent (its first active associate), is assigned."""
    if not can_manage_customer(actor, customer):
        raise NotAllowed("Only admins and the store's managers approve customers.")
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if customer.status == CustomerStatus.ACTIVE:
            raise Conflict("This customer is already active.")
        errors = []
        group = references.one(CustomerGroup.objects.all(), group_id, "group_id", errors=errors)
        associate = references.one(visible_associates(actor).filter(active=True), associate_id, "associate_id",
                                   errors=errors)
        if errors:
            raise InvalidInput(errors)
        if group is not None:
            customer.group = group
        if associate_id is None and customer.group_id:
            associate = customer.group.associates.filter(active=True).order_by("pk").first()
        customer.status = CustomerStatus.ACTIVE
        customer.save(update_fields=["status", "group", "updated_at"])
        if associate is not None:
            ids = list(customer.assignments.values_list("associate_id", flat=True))
            _sync_assignments(customer, [associate.pk, *[i for i in ids if i != associate.pk]], associate.pk)
        record_event(
            actor.user, "customer.approved", customer, associate_id=associate.pk if associate else None,
            **({"group_id": customer.group_id} if group_id is not None else {}),
        )
    return customer


def reject_customer(actor: Actor, customer: Customer) -> Customer:
    if not can_manage_customer(actor, customer):
        raise NotAllowed("Only admins and the store's managers reject customers.")
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        if customer.status != CustomerStatus.PENDING:
            raise Conflict(f"Only a pending registration can be rejected; this one is {customer.status}.")
        customer.status = CustomerStatus.REJECTED
        customer.save(update_fields=["status", "updated_at"])
        record_event(actor.user, "customer.rejected", customer)
    return customer


def register_customer(store: Store, *, email: str, password: str, first_name: str, last_name: str,
                      phone: str = "", email_opt_in: bool = False) -> Customer:
    """A shopper signs up on the storefront; pending when the store approves new customers."""
    email = (email or "").strip().lower()
    if User.objects.filter(email=email).exists():
        raise InvalidInput.field("email", "An account with this email already exists.")
    data = {
        "email": email, "first_name": first_name, "last_name": last_name, "phone": phone,
        "store_id": store.pk, "email_opt_in": email_opt_in,
        "status": CustomerStatus.PENDING if store.approve_new_customers else CustomerStatus.ACTIVE,
    }
    customer = Customer()
    clean = _clean(data, customer, creating=True)
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password=password, name=f"{first_name} {last_name}".strip()
        )
        customer.user = user
        _write(Actor(user), customer, clean, creating=True)
        record_event(user, "customer.registered", customer, status=customer.status)
    return customer


# Groups, businesses, agencies ---------------------------------------------------------------


def save_group(actor: Actor, data: dict, group: CustomerGroup | None = None) -> CustomerGroup:
    group = group or CustomerGroup()
    ids = [associate.pk for associate in references.many(Associate.objects.all(), data.get("associate_ids"),
                                                          "associate_ids")]
    group.name = data["name"].strip()
    try:
        with transaction.atomic():
            group.save()
            group.associates.set(ids)
            record_event(actor.user, "customer_group.saved", group, associate_ids=ids)
    except IntegrityError:
        raise InvalidInput.field("name", "A group with this name exists.")
    return group


def save_business(actor: Actor, data: dict, business: Business | None = None) -> Business:
    business = business or Business()
    business.name = data["name"].strip()
    business.external_id = (data.get("external_id") or "").strip() or None
    try:
        with transaction.atomic():
            business.save()
            record_event(actor.user, "business.saved", business)
    except IntegrityError:
        raise InvalidInput.field("external_id", "Another business has this external id.")
    return business


def save_agency(actor: Actor, data: dict, agency: Agency | None = None) -> Agency:
    """Create or replace an agency and its rep-code map; waiting customers' codes resolve at once."""
    errors = []
    business = references.one(Business.objects.all(), data["business_id"], "business_id", errors=errors)
    reps = data.get("reps") or []
    codes = [rep["code"].strip() for rep in reps]
    for index, code in enumerate(codes):
        if not code:
            errors.append((("body", "reps", index, "code"), "A rep code is not blank."))
    if len(set(codes)) != len(codes):
        errors.append((("body", "reps"), "Each rep code appears once per agency."))
    references.each(Associate.objects.all(), [rep["associate_id"] for rep in reps],
                    lambda index: ("reps", index, "associate_id"), errors=errors)
    if errors:
        raise InvalidInput(errors)
    agency = agency or Agency()
    agency.business = business
    agency.name = data["name"].strip()
    with transaction.atomic():
        agency.save()
        agency.reps.all().delete()
        AgencyRep.objects.bulk_create(
            [AgencyRep(agency=agency, code=code, associate_id=rep["associate_id"])
             for code, rep in zip(codes, reps, strict=True)]
        )
        record_event(actor.user, "agency.saved", agency, codes=codes)
    return agency
