"""/commission-settings: the hold period and the override levels; staff read, admins write."""

import pytest

from shopfloor.commissions.models import CommissionSettings
from tests.commissions.api.conftest import API, PERSONAS, snapshot, user_for

URL = f"{API}/commission-settings"


def test_the_defaults_are_shown_before_anyone_saves_settings_and_reading_writes_nothing(world, admin_api):
    response = admin_api.get(URL)
    assert response.json() == {"hold_days": 14, "override_levels": [{"level": 1, "rate": "5.00"}],
                               "override_basis": "commissionable_amount", "agent_override_rates": []}
    assert CommissionSettings.objects.count() == 0


def test_put_replaces_and_patch_changes_part(world, admin_api):
    body = {"hold_days": 30, "override_levels": [{"level": 2, "rate": "1.5"}, {"level": 1, "rate": 4}]}
    response = admin_api.put(URL, body, content_type="application/json")
    assert response.status_code == 200
    defaults = {"override_basis": "commissionable_amount", "agent_override_rates": []}
    assert response.json() == {"hold_days": 30, "override_levels": [{"level": 1, "rate": "4.00"},
                                                                    {"level": 2, "rate": "1.50"}], **defaults}
    patched = admin_api.patch(URL, {"hold_days": 7}, content_type="application/json")
    assert patched.json() == {"hold_days": 7, "override_levels": [{"level": 1, "rate": "4.00"},
                                                                  {"level": 2, "rate": "1.50"}], **defaults}
    none = admin_api.patch(URL, {"override_levels": []}, content_type="application/json")
    assert none.json() == {"hold_days": 7, "override_levels": [], **defaults}
    assert admin_api.get(URL).json() == none.json()


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"hold_days": -1, "override_levels": []}, ["body", "hold_days"]),
        ({"hold_days": 5000, "override_levels": []}, ["body", "hold_days"]),
        ({"override_levels": []}, ["body", "hold_days"]),
        ({"hold_days": 1, "override_levels": [{"level": 0, "rate": "1"}]}, ["body", "override_levels", 0, "level"]),
        ({"hold_days": 1, "override_levels": [{"level": 1, "rate": "101"}]}, ["body", "override_levels", 0, "rate"]),
        ({"hold_days": 1, "override_levels": [{"level": 1, "rate": "1"}, {"level": 1, "rate": "2"}]},
         ["body", "override_levels", 1, "level"]),
    ],
)
def test_invalid_settings_are_422_and_write_nothing(world, admin_api, body, loc):
    before = snapshot()
    response = admin_api.put(URL, body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_staff_read_the_settings_and_only_admins_change_them(world, client_for, persona):
    api = client_for("associate", persona)
    user = user_for(world, "associate", persona)
    read = 403 if persona == "customer" else (401 if user is None else 200)
    write = 200 if persona == "admin" else (401 if user is None else 403)
    assert api.get(URL).status_code == read
    before = snapshot()
    put = api.put(URL, {"hold_days": 0, "override_levels": []}, content_type="application/json")
    patch = api.patch(URL, {"hold_days": 1}, content_type="application/json")
    assert (put.status_code, patch.status_code) == (write, write)
    if write != 200:
        assert snapshot() == before
