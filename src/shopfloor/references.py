"""References in a request body (`store_id`, `customer_ids`, `reps[0].associate_id`): each checked once, in the
service that writes, against what the actor may refer to.

An id that matches nothing the actor may refer to (unknown, or hidden from them) is invalid input (422) naming
the field, with the same message either way, so an answer never tells a hidden record from a missing one.
Nothing is left for the database to refuse at commit.

A model instance instead of an id was fetched by the caller (from a URL, a form, the actor's own records), where
a hidden record is 404 (`shopfloor.access`): it is checked again against the same rows and stays NotVisible.
"""

from collections.abc import Iterable

from django.db.models import Model, QuerySet

from shopfloor.access import NotVisible
from shopfloor.errors import InvalidInput

# Where a reference sits in the body: a field name, or a path such as ("reps", 0, "associate_id").
Field = str | tuple


def _location(field: Field) -> tuple:
    return ("body", field) if isinstance(field, str) else ("body", *field)


def _refuse(field: Field, message: str, errors: list | None) -> None:
    if errors is None:
        raise InvalidInput([(_location(field), message)])
    errors.append((_location(field), message))


def one(queryset: QuerySet, value, field: Field, *, message: str | None = None, errors: list | None = None):
    """The row of `queryset` (what the actor may refer to) that `value` names; None for None.

    An id that names no row is refused as "Unknown <thing>." at `field`: raised at once, or appended to
    `errors` (then None is returned) so a service reports every bad field of a body in one answer.
    """
    if value is None:
        return None
    if isinstance(value, Model):
        row = queryset.filter(pk=value.pk).first()
        if row is None:
            raise NotVisible
        return row
    row = queryset.filter(pk=value).first()
    if row is None:
        _refuse(field, message or f"Unknown {queryset.model._meta.verbose_name}.", errors)
    return row


def many(queryset: QuerySet, values: Iterable | None, field: Field, *, message: str | None = None,
         errors: list | None = None) -> list:
    """The rows of `queryset` that `values` name, in their order, each once.

    Ids that name no row are refused together as "Unknown <things>: 7, 9." (or `message`, its "{ids}" filled
    in) at `field`: raised, or appended to `errors` and then [] is returned. Instances that are not among the
    rows are NotVisible.
    """
    values = list(values or [])
    instances = [value for value in values if isinstance(value, Model)]
    ids = list(dict.fromkeys(value.pk if isinstance(value, Model) else value for value in values))
    rows = queryset.in_bulk(ids) if ids else {}
    if any(instance.pk not in rows for instance in instances):
        raise NotVisible
    missing = [pk for pk in ids if pk not in rows]
    if missing:
        message = message or f"Unknown {queryset.model._meta.verbose_name_plural}: {{ids}}."
        _refuse(field, message.format(ids=", ".join(map(str, missing))), errors)
        return []
    return [rows[pk] for pk in ids]


def each(queryset: QuerySet, values: Iterable, field, *, message: str | None = None,
         errors: list | None = None) -> list:
    """One row per id of `values` (a list of objects' references, e.g. each rep's associate_id), read at once;
    an unknown id is refused at `field(index)` as "Unknown <thing>." and stands as None."""
    values = list(values)
    rows = queryset.in_bulk(set(values)) if values else {}
    message = message or f"Unknown {queryset.model._meta.verbose_name}."
    for index, value in enumerate(values):
        if value not in rows:
            _refuse(field(index), message, errors)
    return [rows.get(value) for value in values]
