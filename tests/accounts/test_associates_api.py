"""/associates: staff read their store's, admins write them; uplines never loop; rep codes are unique."""

import pytest

from shopfloor.accounts.models import Associate, RepCode, User
from tests.api.conftest import API, snapshot


def create(api, **fields):
    return api.post(f"{API}/associates", fields, content_type="application/json")


def patch(api, associate, **fields):
    return api.patch(f"{API}/associates/{associate.pk}", fields, content_type="application/json")


def test_an_admin_creates_an_associate_with_a_login_and_rep_codes(world, admin_api):
    response = create(
        admin_api,
        name="Rita Rocha",
        email=" Rita@Example.com ",
        phone="+351 912 111 222",
        store_id=world.north.pk,
        role="associate",
        parent_id=world.ana.pk,
        rep_codes=["R-7", "R-3"],
        referral_code="rita-r",
        password="long-enough-1",
    )
    assert response.status_code == 201
    body = response.json()
    assert {key: value for key, value in body.items() if key not in ("id", "photo_url")} == {
        "email": "rita@example.com",
        "name": "Rita Rocha",
        "phone": "+351912111222",
        "store_id": world.north.pk,
        "role": "associate",
        "parent_id": world.ana.pk,
        "rep_codes": ["R-3", "R-7"],
        "referral_code": "rita-r",
        "active": True,
        "can_login": True,
    }
    assert body["photo_url"] == f"http://testserver/avatars/{body['id']}.svg"
    assert "password" not in body
    assert User.objects.get(email="rita@example.com").check_password("long-enough-1")


def test_without_a_password_an_associate_cannot_log_in(world, admin_api):
    body = create(admin_api, name="Rep Only", email="rep@example.com", store_id=world.south.pk).json()
    assert body["can_login"] is False
    assert not User.objects.filter(email="rep@example.com").exists()


def test_rep_codes_are_replaced_on_patch_and_unique_across_associates(world, admin_api):
    assert patch(admin_api, world.ana, rep_codes=["A-1", "A-2"]).json()["rep_codes"] == ["A-1", "A-2"]
    assert patch(admin_api, world.ana, rep_codes=["A-2", "A-3"]).json()["rep_codes"] == ["A-2", "A-3"]
    before = snapshot()
    taken = patch(admin_api, world.bruno, rep_codes=["A-3"])
    assert taken.status_code == 422
    assert taken.json()["detail"][0]["loc"] == ["body", "rep_codes"]
    assert snapshot() == before
    assert sorted(RepCode.objects.values_list("code", flat=True)) == ["A-2", "A-3"]


def test_a_parent_that_would_make_the_upline_loop_is_refused(world, admin_api):
    assert patch(admin_api, world.bruno, parent_id=world.ana.pk).status_code == 200
    assert patch(admin_api, world.nora, parent_id=world.bruno.pk).status_code == 200
    before = snapshot()
    for associate, parent in ((world.ana, world.nora), (world.ana, world.bruno), (world.ana, world.ana)):
        response = patch(admin_api, associate, parent_id=parent.pk)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["body", "parent_id"]
    assert snapshot() == before


def test_an_upline_can_be_removed(world, admin_api):
    patch(admin_api, world.bruno, parent_id=world.ana.pk)
    assert patch(admin_api, world.bruno, parent_id=None).json()["parent_id"] is None


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"email": "not-an-email"}, ["body", "email"]),
        ({"phone": "123"}, ["body", "phone"]),
        ({"store_id": 987654}, ["body", "store_id"]),
        ({"parent_id": 987654}, ["body", "parent_id"]),
        ({"role": "owner"}, ["body", "role"]),
        ({"password": "short"}, ["body", "password"]),
        ({"rep_codes": ["x" * 65]}, ["body", "rep_codes", 0]),
        ({"rep_codes": [" "]}, ["body", "rep_codes"]),
        ({"referral_code": "has space"}, ["body", "referral_code"]),
        ({"email": "ana@example.com", "password": "long-enough-1"}, ["body", "email"]),
    ],
)
def test_an_invalid_associate_is_refused_naming_the_field(world, admin_api, fields, loc):
    before = snapshot()
    response = create(admin_api, **{"name": "Rita", "store_id": world.north.pk, **fields})
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == loc
    assert snapshot() == before


def test_a_taken_referral_code_is_refused(world, admin_api):
    before = snapshot()
    response = create(admin_api, name="Rita", store_id=world.north.pk, referral_code=world.ana.referral_code)
    assert response.json()["detail"][0]["loc"] == ["body", "referral_code"]
    assert snapshot() == before


def test_changing_an_associates_email_changes_their_login(world, admin_api):
    assert patch(admin_api, world.tom, email="Tom.Reis@Example.com").json()["email"] == "tom.reis@example.com"
    world.tom.user.refresh_from_db()
    assert world.tom.user.email == "tom.reis@example.com"
    taken = patch(admin_api, world.tom, email="tina@example.com")
    assert taken.status_code == 422
    assert taken.json()["detail"][0]["loc"] == ["body", "email"]


@pytest.mark.parametrize("who", ["nora", "sam", "ana", "shopper"])
def test_only_admins_write_associates_and_a_refusal_writes_nothing(world, api_as, who):
    api = api_as(getattr(world, who).user)
    before = snapshot()
    assert create(api, name="Rita", store_id=world.north.pk).status_code == 403
    assert patch(api, world.ana, name="Renamed", rep_codes=["X"]).status_code == 403
    assert snapshot() == before


def test_anonymous_callers_cannot_write_associates(world, client):
    assert create(client, name="Rita", store_id=world.north.pk).status_code == 401
    assert patch(client, world.ana, name="Renamed").status_code == 401
    assert Associate.objects.get(pk=world.ana.pk).name == "Ana Pop"


def test_staff_see_their_stores_associates_and_admins_see_all(world, api_as, admin_api):
    tom = api_as(world.tom.user)
    assert [a["name"] for a in tom.get(f"{API}/associates").json()["items"]] == [
        "Sam Manager",
        "Tina Sousa",
        "Tom Reis",
    ]
    assert tom.get(f"{API}/associates/{world.ana.pk}").status_code == 404
    assert admin_api.get(f"{API}/associates").json()["count"] == 6
    assert admin_api.get(f"{API}/associates", {"store_id": world.north.pk}).json()["count"] == 3
    assert api_as(world.shopper.user).get(f"{API}/associates").status_code == 403
