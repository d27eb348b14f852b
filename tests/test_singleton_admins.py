"""Settings kept in one row are added once in the admin, then only changed, never deleted."""

import pytest
from django.test import Client

from shopfloor.attribution.models import AttributionSettings, CouponBounds
from shopfloor.commissions.models import CommissionSettings


@pytest.mark.parametrize("model", [CommissionSettings, CouponBounds, AttributionSettings])
def test_a_settings_row_is_added_once_and_never_deleted(admin_user, model):
    client = Client()
    client.force_login(admin_user)
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}"
    assert client.get(f"{base}/add/").status_code == 200
    row = model.objects.create()
    assert client.get(f"{base}/add/").status_code == 403
    assert client.get(f"{base}/{row.pk}/change/").status_code == 200
    assert client.post(f"{base}/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert model.objects.count() == 1
