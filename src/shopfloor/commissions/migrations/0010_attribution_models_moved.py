"""Coupons, their bounds and uses, and referral clicks now belong to the attribution app (same tables)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('commissions', '0009_drop_config_stamp'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are; only Django's idea of which app owns them moves.
            state_operations=[
                migrations.RemoveField(
                    model_name='coupon',
                    name='associate',
                ),
                migrations.RemoveField(
                    model_name='coupon',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='couponuse',
                    name='coupon',
                ),
                migrations.DeleteModel(
                    name='CouponBounds',
                ),
                migrations.RemoveField(
                    model_name='couponuse',
                    name='order',
                ),
                migrations.RemoveField(
                    model_name='referralclick',
                    name='associate',
                ),
                migrations.RemoveField(
                    model_name='referralclick',
                    name='customer',
                ),
                migrations.DeleteModel(
                    name='Coupon',
                ),
                migrations.DeleteModel(
                    name='CouponUse',
                ),
                migrations.DeleteModel(
                    name='ReferralClick',
                ),
            ],
        ),
    ]
