from decimal import Decimal, InvalidOperation

import django.db.models.deletion
from django.db import migrations, models

CHUNK = 2000


def _decimal(value):
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def _lean(breakdown: dict):
    """(base, rate, details) of an earning or override's old breakdown; None when it is not the shape
    accrual wrote (it is then kept whole in `details`, and shown as it is)."""
    if not isinstance(breakdown, dict) or breakdown.get("kind") not in ("earning", "override"):
        return None
    base, rate = _decimal(breakdown.get("base")), _decimal(breakdown.get("rate"))
    if base is None or rate is None:
        return None
    if breakdown["kind"] == "override":
        return base, rate, None
    if not isinstance(breakdown.get("rule"), dict):
        return None
    if "lines" in breakdown:
        if not all(isinstance(line, dict) and isinstance(line.get("index"), int) for line in breakdown["lines"]):
            return None
        return base, rate, {"lines": [line["index"] for line in breakdown["lines"]]}
    return base, rate, None


def move_breakdowns(apps, schema_editor):
    """Each earning's and override's breakdown into its columns, the rule versions it names into
    RuleVersion, and the seller's name and the upline chain into the order's accrual."""
    LedgerEntry = apps.get_model("commissions", "LedgerEntry")
    OrderAccrual = apps.get_model("commissions", "OrderAccrual")
    RuleVersion = apps.get_model("commissions", "RuleVersion")
    CommissionRule = apps.get_model("commissions", "CommissionRule")
    rule_ids = set(CommissionRule.objects.values_list("pk", flat=True))
    versions, inputs = {}, {}
    entries = LedgerEntry.objects.filter(kind__in=["earning", "override"]).order_by("pk")
    last = 0
    while chunk := list(entries.filter(pk__gt=last)[:CHUNK]):
        last = chunk[-1].pk
        changed = []
        for entry in chunk:
            breakdown = entry.details
            lean = _lean(breakdown)
            if lean is None:
                continue
            entry.base, entry.rate, entry.details = lean
            changed.append(entry)
            order_inputs = inputs.setdefault(entry.order_id, {"seller": "", "uplines": []})
            if breakdown["kind"] == "earning":
                rule = breakdown["rule"]
                order_inputs["seller"] = (breakdown.get("associate") or {}).get("name", "")
                if rule.get("id") in rule_ids and rule.get("version") is not None:
                    versions.setdefault((rule["id"], rule["version"]), RuleVersion(
                        rule_id=rule["id"], version=rule["version"], name=str(rule.get("name", ""))[:200],
                        kind=rule.get("kind", ""), value=_decimal(rule.get("value")) or entry.rate,
                        priority=rule.get("priority") or 0))
            else:
                order_inputs["seller"] = (breakdown.get("seller") or {}).get("name", "")
                order_inputs["uplines"] = [
                    [step.get("associate_id"), step.get("name", ""), bool(step.get("active", True))]
                    for step in breakdown.get("upline_chain") or [] if isinstance(step, dict)]
        LedgerEntry.objects.bulk_update(changed, ["base", "rate", "details"])
    RuleVersion.objects.bulk_create(versions.values(), ignore_conflicts=True)
    accruals = list(OrderAccrual.objects.filter(order_id__in=list(inputs)).only("pk", "order_id"))
    for accrual in accruals:
        accrual.inputs = inputs[accrual.order_id]
    OrderAccrual.objects.bulk_update(accruals, ["inputs"], batch_size=CHUNK)


def keep_a_value(apps, schema_editor):
    """Backwards: `breakdown` holds an object on every row again. The descriptions moved into columns
    are not put back together (the columns are dropped with this migration)."""
    LedgerEntry = apps.get_model("commissions", "LedgerEntry")
    LedgerEntry.objects.filter(details__isnull=True).update(details={})


class Migration(migrations.Migration):
    """A leaner ledger (bench/settlement.py writes millions of rows, every byte and index with each):

    - an earning or override keeps its base and rate in columns instead of a JSON breakdown of
      ~570 bytes; the rule's name, kind and value at its version go to RuleVersion (once per
      version); the seller's name and the upline chain go to the order's accrual (once per order);
      `details` keeps only what columns cannot (the lines a fixed-per-order rule won; a reversal's,
      an adjustment's or a payout's whole description);
    - `line` and `rule` are no longer indexed on their own (nothing lists entries by them; order
      lines and rules are never deleted), and `payout` is unique only where set (it was a
      one-to-one: a unique index over every row's NULL).

    Existing entries move to the new storage here, so an upgraded install keeps its history.
    """

    dependencies = [
        ("commissions", "0006_config_stamp"),
        ("orders", "0003_on_behalf_payment_links"),
    ]

    operations = [
        migrations.CreateModel(
            name="RuleVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveIntegerField()),
                ("name", models.CharField(max_length=200)),
                ("kind", models.CharField(choices=[("percentage", "Percentage of the line"),
                                                   ("fixed_per_order", "Fixed amount per order"),
                                                   ("fixed_per_unit", "Fixed amount per unit")], max_length=20)),
                ("value", models.DecimalField(decimal_places=4, max_digits=12)),
                ("priority", models.IntegerField()),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
                ("rule", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="versions",
                                           to="commissions.commissionrule")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("rule", "version"), name="rule_version_once")],
            },
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="base",
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=16, null=True),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="rate",
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=12, null=True),
        ),
        migrations.AddField(
            model_name="orderaccrual",
            name="inputs",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RenameField(model_name="ledgerentry", old_name="breakdown", new_name="details"),
        migrations.AlterField(
            model_name="ledgerentry",
            name="details",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RunPython(move_breakdowns, keep_a_value, elidable=False),
        migrations.AlterField(
            model_name="ledgerentry",
            name="line",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="orders.orderline"),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="payout",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="ledger_entries",
                                    to="commissions.payout"),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="rule",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="ledger_entries",
                                    to="commissions.commissionrule"),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.UniqueConstraint(condition=models.Q(("payout__isnull", False)), fields=("payout",),
                                               name="ledger_one_entry_per_payout"),
        ),
    ]
