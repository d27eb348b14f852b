import importlib

from django.db import migrations

# The stamp's trigger pieces, as 0006 wrote them (a module whose name starts with a digit).
stamp = importlib.import_module("shopfloor.commissions.migrations.0006_config_stamp")


def _table(apps) -> str:
    return apps.get_model("accounts", "Associate")._meta.db_table


def create_triggers(apps, schema_editor):
    """Every change to an associate replaces the stamp too: a snapshot now holds the associate tree
    an order's upline chain is read from (commissions.snapshot)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        touch = stamp.sqlite_touch(schema_editor.quote_name(apps.get_model("commissions", "ConfigStamp")._meta.db_table))
        stamp.create_sqlite_triggers(schema_editor, _table(apps), touch)
    elif vendor == "postgresql":
        stamp.create_postgresql_trigger(schema_editor, _table(apps))


def drop_triggers(apps, schema_editor):
    stamp.drop_stamp_triggers(schema_editor, _table(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("commissions", "0007_lean_ledger"),
        ("accounts", "0002_agent_onboarding"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
    ]
