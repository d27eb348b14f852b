from django.db import migrations, models

import shopfloor.commissions.models


class Migration(migrations.Migration):
    """The override basis is a retailer setting: the sale's commissionable amount (what every override was
    paid on until now, and the default) or the child's commission (SalesKing's); and a parent agent may
    have an own rate, replacing the rate of the level they are at. Settings already saved keep paying as
    before."""

    dependencies = [
        ("commissions", "0012_accrual_semantics"),
    ]

    operations = [
        migrations.AddField(
            model_name="commissionsettings",
            name="override_basis",
            field=models.CharField(
                choices=[("commissionable_amount", "The sale's commissionable amount"),
                         ("child_commission", "The child's commission")],
                default="commissionable_amount", help_text="What the override rates are a percentage of.",
                max_length=24,
            ),
        ),
        migrations.AddField(
            model_name="commissionsettings",
            name="agent_override_rates",
            field=models.JSONField(
                blank=True, default=list,
                help_text='A parent agent\'s own rate, [{"associate_id": 7, "rate": "3.00"}]: replaces the rate of '
                          "the level the agent is at.",
            ),
        ),
        migrations.AlterField(
            model_name="commissionsettings",
            name="override_levels",
            field=models.JSONField(
                blank=True, default=shopfloor.commissions.models.default_override_levels,
                help_text='Upline overrides, [{"level": 1, "rate": "5.00"}]: percent of the override basis.',
            ),
        ),
    ]
