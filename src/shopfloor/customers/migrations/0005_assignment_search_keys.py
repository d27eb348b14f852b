from django.db import migrations, models

# Customer.search_* copied onto each of the customer's assignments (CustomerAssignment's docstring says why).
KEYS = ("search_first_name", "search_last_name", "search_email", "search_phone")
PG_TO_ASSIGNMENT = "customer_assignment_search_keys"
PG_TO_CUSTOMERS_ASSIGNMENTS = "customer_search_keys_to_assignments"


def _tables(apps) -> tuple[str, str]:
    return (apps.get_model("customers", "Customer")._meta.db_table,
            apps.get_model("customers", "CustomerAssignment")._meta.db_table)


def create_triggers(apps, schema_editor):
    """Triggers that keep each assignment's keys equal to its customer's, whoever writes either row.

    An assignment copies its customer's keys when it is written (insert, or an update of its customer or
    of the keys themselves, such as a save() of a stale instance); a customer pushes its keys to its
    assignments when it is inserted (an assignment may be written first in a transaction, the foreign
    keys being deferred) or its keys change. Existing rows are filled here.
    """
    connection = schema_editor.connection
    quote = schema_editor.quote_name
    customer, assignment = (quote(table) for table in _tables(apps))
    keys = [quote(key) for key in KEYS]
    copied = ", ".join(f"{key} = (SELECT {key} FROM {customer} WHERE id = {assignment}.customer_id)" for key in keys)
    schema_editor.execute(f"UPDATE {assignment} SET {copied}")  # noqa: S608 - names quoted by the backend
    pushed = ", ".join(f"{key} = NEW.{key}" for key in keys)
    changed = " OR ".join(f"NEW.{key} IS DISTINCT FROM OLD.{key}" for key in keys)
    if connection.vendor == "sqlite":
        stale = " OR ".join(f"{assignment}.{key} IS NOT {customer}.{key}" for key in keys)
        # Row by row from the customer; only when a key differs, so the trigger's own update ends there.
        refresh = (
            f"UPDATE {assignment} SET {copied} WHERE id = NEW.id AND EXISTS (SELECT 1 FROM {customer} "
            f"WHERE {customer}.id = NEW.customer_id AND ({stale}))"
        )
        schema_editor.execute(
            f"CREATE TRIGGER assignment_search_keys_insert AFTER INSERT ON {assignment} BEGIN {refresh}; END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER assignment_search_keys_update AFTER UPDATE OF customer_id, {', '.join(keys)} "
            f"ON {assignment} BEGIN {refresh}; END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER customer_search_keys_insert AFTER INSERT ON {customer} "
            f"BEGIN UPDATE {assignment} SET {pushed} WHERE customer_id = NEW.id; END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER customer_search_keys_update AFTER UPDATE OF {', '.join(keys)} ON {customer} "
            f"WHEN {changed.replace('IS DISTINCT FROM', 'IS NOT')} "
            f"BEGIN UPDATE {assignment} SET {pushed} WHERE customer_id = NEW.id; END"
        )
    elif connection.vendor == "postgresql":
        selected = ", ".join(keys)
        schema_editor.execute(
            f"CREATE FUNCTION {PG_TO_ASSIGNMENT}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"DECLARE found_keys record; BEGIN "
            f"SELECT {selected} INTO found_keys FROM {customer} WHERE id = NEW.customer_id; "
            f"IF FOUND THEN {' '.join(f'NEW.{key} := found_keys.{key};' for key in keys)} END IF; "
            f"RETURN NEW; END $$"
        )
        schema_editor.execute(
            f"CREATE TRIGGER assignment_search_keys BEFORE INSERT OR UPDATE OF customer_id, {', '.join(keys)} "
            f"ON {assignment} FOR EACH ROW EXECUTE FUNCTION {PG_TO_ASSIGNMENT}()"
        )
        schema_editor.execute(
            f"CREATE FUNCTION {PG_TO_CUSTOMERS_ASSIGNMENTS}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"UPDATE {assignment} SET {pushed} WHERE customer_id = NEW.id; RETURN NULL; END $$"
        )
        schema_editor.execute(
            f"CREATE TRIGGER customer_search_keys_insert AFTER INSERT ON {customer} "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_TO_CUSTOMERS_ASSIGNMENTS}()"
        )
        schema_editor.execute(
            f"CREATE TRIGGER customer_search_keys_update AFTER UPDATE OF {', '.join(keys)} ON {customer} "
            f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {PG_TO_CUSTOMERS_ASSIGNMENTS}()"
        )
    else:
        raise NotImplementedError(f"Assignment search keys need triggers written for {connection.vendor}.")


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    customer, assignment = (schema_editor.quote_name(table) for table in _tables(apps))
    if connection.vendor == "sqlite":
        for name in ("assignment_search_keys_insert", "assignment_search_keys_update",
                     "customer_search_keys_insert", "customer_search_keys_update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS assignment_search_keys ON {assignment}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS customer_search_keys_insert ON {customer}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS customer_search_keys_update ON {customer}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {PG_TO_ASSIGNMENT}()")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {PG_TO_CUSTOMERS_ASSIGNMENTS}()")


def _key_field(max_length: int) -> models.CharField:
    return models.CharField(blank=True, default="", editable=False, max_length=max_length)


class Migration(migrations.Migration):
    """Search keys on assignments, so an associate-mode associate's search reads a range of their own rows."""

    dependencies = [
        ("accounts", "0002_agent_onboarding"),
        ("customers", "0004_covering_search_indexes"),
    ]

    operations = [
        migrations.AddField(model_name="customerassignment", name="search_first_name", field=_key_field(100)),
        migrations.AddField(model_name="customerassignment", name="search_last_name", field=_key_field(100)),
        migrations.AddField(model_name="customerassignment", name="search_email", field=_key_field(254)),
        migrations.AddField(model_name="customerassignment", name="search_phone", field=_key_field(20)),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.AddIndex(
            model_name="customerassignment",
            index=models.Index(
                fields=["associate", "search_last_name", "search_first_name", "customer", "search_email",
                        "search_phone"],
                name="assignment_search_sort",
            ),
        ),
        migrations.AddIndex(
            model_name="customerassignment",
            index=models.Index(fields=["associate", "search_last_name"], name="assignment_search_last",
                               opclasses=["int8_ops", "varchar_pattern_ops"]),
        ),
        migrations.AddIndex(
            model_name="customerassignment",
            index=models.Index(
                fields=["associate", "search_first_name", "search_last_name", "customer"],
                name="assignment_search_first",
                opclasses=["int8_ops", "varchar_pattern_ops", "varchar_pattern_ops", "int8_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="customerassignment",
            index=models.Index(
                fields=["associate", "search_email", "search_last_name", "search_first_name", "customer"],
                name="assignment_search_email",
                opclasses=["int8_ops", "varchar_pattern_ops", "varchar_pattern_ops", "varchar_pattern_ops",
                           "int8_ops"],
            ),
        ),
        migrations.AddIndex(
            model_name="customerassignment",
            index=models.Index(
                fields=["associate", "search_phone", "search_last_name", "search_first_name", "customer"],
                name="assignment_search_phone",
                opclasses=["int8_ops", "varchar_pattern_ops", "varchar_pattern_ops", "varchar_pattern_ops",
                           "int8_ops"],
            ),
        ),
    ]
