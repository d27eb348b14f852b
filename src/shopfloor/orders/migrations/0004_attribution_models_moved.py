"""Interactions and the attribution windows now belong to the attribution app (same tables)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0003_on_behalf_payment_links'),
        # commissions' config-stamp migrations read the windows' table through the orders app.
        ('commissions', '0009_drop_config_stamp'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are; only Django's idea of which app owns them moves.
            state_operations=[
                migrations.DeleteModel(
                    name='AttributionSettings',
                ),
                migrations.DeleteModel(
                    name='Interaction',
                ),
            ],
        ),
    ]
