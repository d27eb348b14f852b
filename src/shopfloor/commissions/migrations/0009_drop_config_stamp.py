import importlib

from django.db import migrations

# The stamp's trigger pieces, as 0006 and 0008 wrote them (modules whose names start with a digit).
stamp = importlib.import_module("shopfloor.commissions.migrations.0006_config_stamp")
associate_stamp = importlib.import_module("shopfloor.commissions.migrations.0008_associate_stamp")

# Every table 0006 and 0008 put a stamp trigger on.
GUARDED = [*stamp.GUARDED, ("accounts", "Associate", None)]


def _tables(apps) -> list[str]:
    tables = []
    for app, model_name, relation in GUARDED:
        model = apps.get_model(app, model_name)
        if relation is not None:
            model = model._meta.get_field(relation).remote_field.through
        tables.append(model._meta.db_table)
    return tables


def drop_triggers(apps, schema_editor):
    """Nothing caches the rules any more (commissions.snapshot reads them on every call): no stamp to keep."""
    for table in _tables(apps):
        stamp.drop_stamp_triggers(schema_editor, table)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {stamp.FUNCTION}()")


def create_triggers(apps, schema_editor):
    stamp.create_triggers(apps, schema_editor)
    associate_stamp.create_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    """The per-process cache of rules and settings is gone, and with it the stamp that kept it current:
    its triggers (SQLite and PostgreSQL) and its table."""

    dependencies = [
        ("commissions", "0008_associate_stamp"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, create_triggers),
        migrations.DeleteModel(name="ConfigStamp"),
    ]
