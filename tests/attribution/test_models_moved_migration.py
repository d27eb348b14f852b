"""The attribution app took over interactions, the windows, coupons and referral clicks from orders and
commissions: an upgraded install keeps every row, and the content types (with the permissions given on
them) follow the models.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from shopfloor.attribution.models import AttributionSettings, Coupon, CouponUse, Interaction, ReferralClick
from tests.migrating import leaf_nodes, migrate

BEFORE = [("orders", "0003_on_behalf_payment_links"), ("commissions", "0009_drop_config_stamp")]
AFTER = [("attribution", "0001_models_from_orders_and_commissions")]
WHEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def old_rows(apps):
    """What an install written before the move holds, through the models as they were then."""
    Store = apps.get_model("accounts", "Store")
    Associate = apps.get_model("accounts", "Associate")
    Order = apps.get_model("orders", "Order")
    store = Store.objects.create(code="old", name="Old Store", currency="EUR")
    ana = Associate.objects.create(store=store, name="Ana Alves", referral_code="ANA-OLD")
    order = Order.objects.create(external_id="old-1", store=store, currency="EUR", status="placed",
                                 subtotal=Decimal("100.00"), total=Decimal("90.00"), placed_at=WHEN,
                                 coupon_code="ANA10", attributed_associate=ana, attributed_store=store)
    coupon = apps.get_model("commissions", "Coupon").objects.create(
        code="ANA10", associate=ana, kind="percent", value=Decimal("10.00"), uses=1)
    apps.get_model("commissions", "CouponUse").objects.create(coupon=coupon, order=order)
    apps.get_model("commissions", "ReferralClick").objects.create(associate=ana, visitor_id="v-1", clicked_at=WHEN)
    apps.get_model("orders", "Interaction").objects.create(associate=ana, kind="chat", visitor_id="v-1",
                                                           occurred_at=WHEN, source_ref="chat:1")
    apps.get_model("orders", "AttributionSettings").objects.update_or_create(
        pk=1, defaults={"attribution_window_days": 45, "influence_window_days": 7})
    # The content type of the old install, as Django created it then, with a permission given on it.
    ContentType.objects.filter(app_label="attribution", model="coupon").delete()
    old_type = ContentType.objects.create(app_label="commissions", model="coupon")
    Permission.objects.create(content_type=old_type, codename="add_coupon", name="Can add coupon")
    return order, coupon, old_type


@pytest.mark.django_db(transaction=True)
def test_an_upgraded_install_keeps_its_attribution_rows_and_permissions():
    try:
        order, old_coupon, old_type = old_rows(migrate(BEFORE))
        migrate(AFTER)
        coupon = Coupon.objects.get()
        assert (coupon.pk, coupon.code, coupon.uses, coupon.associate.name) == (old_coupon.pk, "ANA10", 1, "Ana Alves")
        assert CouponUse.objects.get().order_id == order.pk
        assert ReferralClick.objects.get().visitor_id == "v-1"
        assert Interaction.objects.get().source_ref == "chat:1"
        assert (AttributionSettings.objects.get().attribution_window_days,
                AttributionSettings.objects.get().influence_window_days) == (45, 7)
        ContentType.objects.clear_cache()
        moved = ContentType.objects.get_for_model(Coupon)
        assert moved.pk == old_type.pk
        assert Permission.objects.get(content_type=moved, codename="add_coupon")
        assert not ContentType.objects.filter(app_label="commissions", model="coupon").exists()
    finally:
        migrate(leaf_nodes())
