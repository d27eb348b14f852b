from django.db import migrations, models

# What a snapshot (commissions.snapshot) is read from: any change to these tables replaces the token.
GUARDED = [
    ("commissions", "CommissionRule", None),
    ("commissions", "CommissionRule", "associates"),
    ("commissions", "CommissionRule", "categories"),
    ("commissions", "CommissionRule", "customer_groups"),
    ("commissions", "CommissionRule", "customers"),
    ("commissions", "CommissionSettings", None),
    ("orders", "AttributionSettings", None),
]
FUNCTION = "commissions_config_changed"


def _tables(apps) -> list[str]:
    tables = []
    for app, model_name, relation in GUARDED:
        model = apps.get_model(app, model_name)
        if relation is not None:
            model = model._meta.get_field(relation).remote_field.through
        tables.append(model._meta.db_table)
    return tables


def _trigger_name(table: str, operation: str = "") -> str:
    return f"stamp_{table}{'_' + operation if operation else ''}"


def sqlite_touch(stamp: str) -> str:
    """What a SQLite trigger runs: the stamp row put back if a flush removed it, and a fresh token."""
    # No INSERT OR REPLACE: in a trigger, the conflict clause of the statement that fired it wins
    # (Django's m2m add is an INSERT OR IGNORE, which would keep the old token). An insert that
    # never conflicts puts the row back after a flush; the update always replaces the token.
    return (
        f"INSERT INTO {stamp} (id, token) SELECT 1, '' WHERE NOT EXISTS (SELECT 1 FROM {stamp} "
        f"WHERE id = 1); UPDATE {stamp} SET token = lower(hex(randomblob(16))) WHERE id = 1"
    )


def create_sqlite_triggers(schema_editor, table: str, touch: str) -> None:
    quote = schema_editor.quote_name
    for operation in ("INSERT", "UPDATE", "DELETE"):
        schema_editor.execute(
            f"CREATE TRIGGER {quote(_trigger_name(table, operation.lower()))} AFTER {operation} "
            f"ON {quote(table)} BEGIN {touch}; END"
        )


def create_postgresql_trigger(schema_editor, table: str) -> None:
    quote = schema_editor.quote_name
    schema_editor.execute(
        f"CREATE TRIGGER {quote(_trigger_name(table))} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    )


def drop_stamp_triggers(schema_editor, table: str) -> None:
    quote = schema_editor.quote_name
    if schema_editor.connection.vendor == "sqlite":
        for operation in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {quote(_trigger_name(table, operation))}")
    elif schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {quote(_trigger_name(table))} ON {quote(table)}")


def create_triggers(apps, schema_editor):
    """A fresh random token in the stamp row on every write to a guarded table, in the same transaction."""
    connection = schema_editor.connection
    quote = schema_editor.quote_name
    stamp = quote(apps.get_model("commissions", "ConfigStamp")._meta.db_table)
    if connection.vendor == "sqlite":
        touch = sqlite_touch(stamp)
        schema_editor.execute(touch.split("; ")[0])
        schema_editor.execute(touch.split("; ")[1])
        for table in _tables(apps):
            create_sqlite_triggers(schema_editor, table, touch)
    elif connection.vendor == "postgresql":
        touch = (
            f"INSERT INTO {stamp} (id, token) VALUES (1, md5(random()::text || clock_timestamp()::text)) "
            f"ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token"
        )
        schema_editor.execute(touch)
        schema_editor.execute(
            f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {touch}; RETURN NULL; END $$"
        )
        for table in _tables(apps):
            create_postgresql_trigger(schema_editor, table)
    # Any other database: no stamp row, so nothing is ever cached.


def drop_triggers(apps, schema_editor):
    for table in _tables(apps):
        drop_stamp_triggers(schema_editor, table)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    """The stamp that tells a process its cached rules and settings are still current
    (commissions.snapshot): a random token that triggers replace on every change."""

    dependencies = [
        ("commissions", "0005_ledger_indexes"),
        ("orders", "0003_on_behalf_payment_links"),
    ]

    operations = [
        migrations.CreateModel(
            name="ConfigStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=64)),
            ],
            options={
                "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)), name="config_stamp_singleton")],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
