from django.db import migrations, models


class Migration(migrations.Migration):
    """The rules add up: a line pays its best percentage rule and its best fixed-per-unit rule (rules.py), so
    it may carry two earnings, one per rule. The ledger's one-earning-per-line key becomes one earning per
    line and rule; every row written before satisfies both. The new partial unique index is built before
    the old one is dropped, under the migration's lock, once."""

    dependencies = [
        ("commissions", "0010_attribution_models_moved"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "earning"), ("line__isnull", False)), fields=("order", "line", "rule"),
                name="ledger_one_earning_per_line_rule",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="ledgerentry",
            name="ledger_one_earning_per_line",
        ),
        migrations.AlterField(
            model_name="commissionrule",
            name="priority",
            field=models.IntegerField(
                default=0, help_text="Higher wins when several rules of a kind match a line (per-order rules all pay)."
            ),
        ),
    ]
