"""The attribution app takes over models that lived in orders and commissions, keeping their tables.

Content types (and so the permissions given on them) follow the models. Audit events keep the
`target_type` they were written with ("orders.interaction", "commissions.coupon"): they are never edited."""

import django.db.models.deletion
import django.db.models.functions.text
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

MOVED = {
    "orders": ("interaction", "attributionsettings"),
    "commissions": ("coupon", "couponuse", "couponbounds", "referralclick"),
}


def follow_moved_models(apps, schema_editor):
    """Give the models' existing content types the new app label (Django's advice for moving a model)."""
    content_types = apps.get_model("contenttypes", "ContentType")
    for old_app, models_moved in MOVED.items():
        for model in models_moved:
            if content_types.objects.filter(app_label="attribution", model=model).exists():
                continue
            content_types.objects.filter(app_label=old_app, model=model).update(app_label="attribution")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('commissions', '0010_attribution_models_moved'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('accounts', '0002_agent_onboarding'),
        ('customers', '0005_assignment_search_keys'),
        ('orders', '0004_attribution_models_moved'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are; only Django's idea of which app owns them moves.
            state_operations=[
                migrations.CreateModel(
                    name='AttributionSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('attribution_window_days', models.PositiveIntegerField(default=30, help_text='A referral link click credits orders placed within this many days (last click wins).')),
                        ('influence_window_days', models.PositiveIntegerField(default=14, help_text='An interaction (chat, call, list notify, lookbook opened) credits orders placed within this many days (the latest wins).')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'verbose_name_plural': 'attribution settings',
                        'db_table': 'orders_attributionsettings',
                        'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='attribution_settings_singleton')],
                    },
                ),
                migrations.CreateModel(
                    name='Coupon',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=40)),
                        ('kind', models.CharField(choices=[('percent', 'Percent off'), ('fixed', 'Fixed amount off')], max_length=10)),
                        ('value', models.DecimalField(decimal_places=2, max_digits=12)),
                        ('max_uses', models.PositiveIntegerField(blank=True, help_text='Empty: no limit.', null=True)),
                        ('uses', models.PositiveIntegerField(default=0, editable=False)),
                        ('expires_at', models.DateTimeField(blank=True, help_text='Empty: never expires.', null=True)),
                        ('active', models.BooleanField(default=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('associate', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='coupons', to='accounts.associate')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'commissions_coupon',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='CouponBounds',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('max_percent', models.DecimalField(decimal_places=2, default=Decimal('20.00'), help_text='The largest percent-off coupon.', max_digits=5)),
                        ('max_amount', models.DecimalField(decimal_places=2, default=Decimal('50.00'), help_text='The largest fixed-amount coupon.', max_digits=12)),
                        ('max_uses', models.PositiveIntegerField(default=100, help_text='The most orders one coupon may serve.')),
                        ('max_days_to_expiry', models.PositiveIntegerField(default=90, help_text='A coupon expires at most this many days after it is created.')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'verbose_name_plural': 'coupon bounds',
                        'db_table': 'commissions_couponbounds',
                        'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='coupon_bounds_singleton')],
                    },
                ),
                migrations.CreateModel(
                    name='CouponUse',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('beyond_limits', models.BooleanField(default=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('coupon', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='use_set', to='attribution.coupon')),
                        ('order', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='coupon_use', to='orders.order')),
                    ],
                    options={
                        'db_table': 'commissions_couponuse',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='Interaction',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('chat', 'Chat'), ('call', 'Call'), ('list_notify', 'List notification'), ('lookbook_opened', 'Lookbook opened')], max_length=20)),
                        ('visitor_id', models.CharField(blank=True, max_length=64)),
                        ('occurred_at', models.DateTimeField()),
                        ('source_ref', models.CharField(blank=True, help_text='What it came from (e.g. chat:42); the same ref is recorded once.', max_length=200)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('associate', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='interactions', to='accounts.associate')),
                        ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='interactions', to='customers.customer')),
                    ],
                    options={
                        'db_table': 'orders_interaction',
                        'ordering': ['-occurred_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ReferralClick',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('visitor_id', models.CharField(blank=True, max_length=64)),
                        ('next_path', models.CharField(blank=True, max_length=500)),
                        ('clicked_at', models.DateTimeField()),
                        ('associate', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='referral_clicks', to='accounts.associate')),
                        ('customer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='referral_clicks', to='customers.customer')),
                    ],
                    options={
                        'db_table': 'commissions_referralclick',
                        'ordering': ['-clicked_at', '-id'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='coupon',
                    constraint=models.UniqueConstraint(django.db.models.functions.text.Upper('code'), name='coupon_code_unique_any_case'),
                ),
                migrations.AddConstraint(
                    model_name='coupon',
                    constraint=models.CheckConstraint(condition=models.Q(('value__gt', 0)), name='coupon_value_positive'),
                ),
                migrations.AddConstraint(
                    model_name='coupon',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'percent'), _negated=True), ('value__lte', 100), _connector='OR'), name='coupon_percent_at_most_100'),
                ),
                migrations.AddIndex(
                    model_name='interaction',
                    index=models.Index(fields=['customer', 'occurred_at'], name='interaction_customer_time'),
                ),
                migrations.AddIndex(
                    model_name='interaction',
                    index=models.Index(fields=['visitor_id', 'occurred_at'], name='interaction_visitor_time'),
                ),
                migrations.AddConstraint(
                    model_name='interaction',
                    constraint=models.UniqueConstraint(condition=models.Q(('source_ref', ''), _negated=True), fields=('associate', 'source_ref'), name='interaction_once_per_source'),
                ),
                migrations.AddConstraint(
                    model_name='interaction',
                    constraint=models.CheckConstraint(condition=models.Q(('customer__isnull', False), models.Q(('visitor_id', ''), _negated=True), _connector='OR'), name='interaction_has_someone'),
                ),
                migrations.AddIndex(
                    model_name='referralclick',
                    index=models.Index(fields=['visitor_id', 'clicked_at'], name='referral_visitor_time'),
                ),
                migrations.AddIndex(
                    model_name='referralclick',
                    index=models.Index(fields=['customer', 'clicked_at'], name='referral_customer_time'),
                ),
            ],
        ),
        migrations.RunPython(follow_moved_models, migrations.RunPython.noop),
    ]
