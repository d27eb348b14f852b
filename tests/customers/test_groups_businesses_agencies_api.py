"""Customer groups, businesses and agencies: staff read them, admins write them."""

import pytest

from shopfloor.customers.models import Agency, Business, CustomerGroup
from tests.api.conftest import API, snapshot


def post(api, path, body):
    return api.post(f"{API}{path}", body, content_type="application/json")


def test_an_admin_creates_and_renames_a_customer_group(world, admin_api):
    created = post(
        admin_api, "/customer-groups", {"name": "Trade", "associate_ids": [world.tom.pk, world.ana.pk]}
    )
    assert created.status_code == 201
    assert created.json() == {
        "id": created.json()["id"],
        "name": "Trade",
        "associate_ids": sorted([world.ana.pk, world.tom.pk]),
    }
    group_id = created.json()["id"]
    changed = admin_api.patch(
        f"{API}/customer-groups/{group_id}",
        {"name": "Trade B2B", "associate_ids": []},
        content_type="application/json",
    )
    assert changed.json() == {"id": group_id, "name": "Trade B2B", "associate_ids": []}
    listed = admin_api.get(f"{API}/customer-groups").json()
    assert listed == {"items": [{"id": group_id, "name": "Trade B2B", "associate_ids": []}], "count": 1}


def test_a_group_name_is_unique_and_unknown_associates_are_refused(world, admin_api):
    post(admin_api, "/customer-groups", {"name": "Trade"})
    before = snapshot()
    assert post(admin_api, "/customer-groups", {"name": "Trade"}).json()["detail"][0]["loc"] == [
        "body",
        "name",
    ]
    unknown = post(admin_api, "/customer-groups", {"name": "Other", "associate_ids": [987654]})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "associate_ids"]
    assert snapshot() == before


def test_an_admin_creates_a_business_and_its_agency(world, admin_api):
    business = post(admin_api, "/businesses", {"name": "Casa Lda", "external_id": "B-1"})
    assert business.status_code == 201
    assert business.json() == {"id": business.json()["id"], "name": "Casa Lda", "external_id": "B-1"}
    agency = post(
        admin_api,
        "/agencies",
        {
            "business_id": business.json()["id"],
            "name": "Norte",
            "reps": [
                {"code": "R-1", "associate_id": world.ana.pk},
                {"code": "R-2", "associate_id": world.tom.pk},
            ],
        },
    )
    assert agency.status_code == 201
    assert agency.json()["reps"] == [
        {"code": "R-1", "associate_id": world.ana.pk},
        {"code": "R-2", "associate_id": world.tom.pk},
    ]
    replaced = admin_api.put(
        f"{API}/agencies/{agency.json()['id']}",
        {
            "business_id": business.json()["id"],
            "name": "Norte",
            "reps": [{"code": "R-3", "associate_id": world.ana.pk}],
        },
        content_type="application/json",
    )
    assert replaced.json()["reps"] == [{"code": "R-3", "associate_id": world.ana.pk}]
    listed = admin_api.get(f"{API}/agencies", {"business_id": business.json()["id"]}).json()
    assert listed["count"] == 1
    assert admin_api.get(f"{API}/agencies", {"business_id": 987654}).json() == {"items": [], "count": 0}


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"business_id": 987654, "name": "X"}, ["body", "business_id"]),
        (
            {"name": "X", "reps": [{"code": "R-1", "associate_id": 987654}]},
            ["body", "reps", 0, "associate_id"],
        ),
        (
            {
                "name": "X",
                "reps": [{"code": "R-1", "associate_id": "ana"}, {"code": "R-1", "associate_id": "ana"}],
            },
            ["body", "reps"],
        ),
        ({"name": "X", "reps": [{"code": "  ", "associate_id": "ana"}]}, ["body", "reps", 0, "code"]),
        ({"name": "X", "reps": [{"code": "x" * 65, "associate_id": "ana"}]}, ["body", "reps", 0, "code"]),
    ],
)
def test_an_invalid_agency_is_refused_naming_the_field(world, admin_api, body, loc):
    business = Business.objects.create(name="Casa")
    body = {"business_id": business.pk, **body}
    for rep in body.get("reps", []):
        if rep["associate_id"] == "ana":
            rep["associate_id"] = world.ana.pk
    before = snapshot()
    response = post(admin_api, "/agencies", body)
    assert response.status_code == 422
    assert loc in [error["loc"] for error in response.json()["detail"]]
    assert snapshot() == before


@pytest.mark.parametrize("who", ["nora", "ana", "shopper"])
def test_only_admins_write_groups_businesses_and_agencies(world, api_as, who):
    business = Business.objects.create(name="Casa")
    group = CustomerGroup.objects.create(name="Trade")
    agency = Agency.objects.create(business=business, name="Norte")
    api = api_as(getattr(world, who).user)
    before = snapshot()
    assert post(api, "/customer-groups", {"name": "New"}).status_code == 403
    assert (
        api.patch(
            f"{API}/customer-groups/{group.pk}", {"name": "New"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert post(api, "/businesses", {"name": "New"}).status_code == 403
    assert post(api, "/agencies", {"business_id": business.pk, "name": "New"}).status_code == 403
    assert (
        api.put(
            f"{API}/agencies/{agency.pk}",
            {"business_id": business.pk, "name": "New"},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert snapshot() == before


def test_staff_read_groups_businesses_and_agencies(world, api_as):
    Business.objects.create(name="Casa")
    api = api_as(world.bruno.user)
    assert api.get(f"{API}/businesses").json()["count"] == 1
    assert api.get(f"{API}/customer-groups").json()["count"] == 0
    assert api.get(f"{API}/agencies").json()["count"] == 0
