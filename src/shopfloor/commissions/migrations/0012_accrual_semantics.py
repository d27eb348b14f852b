from django.db import migrations, models

CHOICES = [("one_rule_per_line", "One rule per line"), ("rules_add_up", "Rules add up")]


class Migration(migrations.Migration):
    """Each order's accrual records how its rules combined. Every order accrued before the rules added up was
    evaluated one rule per line: the column is added with that value for the existing rows (on PostgreSQL
    without rewriting the table), then new accruals default to the new semantics. Nothing already written
    changes."""

    dependencies = [
        ("commissions", "0011_one_earning_per_line_and_rule"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderaccrual",
            name="semantics",
            field=models.CharField(choices=CHOICES, default="one_rule_per_line", max_length=20),
        ),
        migrations.AlterField(
            model_name="orderaccrual",
            name="semantics",
            field=models.CharField(choices=CHOICES, default="rules_add_up", max_length=20),
        ),
    ]
