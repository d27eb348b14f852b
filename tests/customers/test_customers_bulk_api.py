"""POST /customers/bulk: the ERP's sync upserts by external_id; bad rows are reported and write nothing."""

from shopfloor.customers.models import Business, Customer, CustomerRepCode
from tests.api.conftest import API, snapshot


def bulk(api, rows):
    return api.post(f"{API}/customers/bulk", {"customers": rows}, content_type="application/json")


def good_rows(world, business=None):
    return [
        {
            "external_id": "ERP-1",
            "store_id": world.north.pk,
            "first_name": "Hugo",
            "last_name": "Horta",
            "email": "Hugo.Horta@Example.com",
            "phone": "+351 912 345 678",
            "rep_codes": ["R-10"],
            "business_id": business.pk if business else None,
            "email_opt_in": True,
            "tags": ["vip", "b2b"],
        },
        {
            "external_id": "ERP-2",
            "store_id": world.south.pk,
            "first_name": "Inês",
            "last_name": "Inácio",
            "birthday": "1990-05-17",
            "assigned_associate_ids": [world.tom.pk],
        },
    ]


def test_good_rows_are_written_and_bad_rows_are_reported_by_index_with_the_field(world, admin_api):
    rows = good_rows(world)
    rows[1:1] = [
        {"external_id": "BAD-EMAIL", "store_id": world.north.pk, "email": "not-an-email"},
        {"external_id": "BAD-PHONE", "store_id": world.north.pk, "phone": "12"},
        {"external_id": "BAD-STORE", "store_id": 987654},
        {"store_id": world.north.pk, "first_name": "Nameless"},
        {"external_id": "BAD-TYPES", "store_id": "north", "email_opt_in": "maybe", "tags": "vip"},
        "not a row",
        {"external_id": 42, "store_id": world.north.pk},
    ]
    response = bulk(admin_api, rows)
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 0)
    errors = {error["index"]: error for error in body["errors"]}
    assert sorted(errors) == [1, 2, 3, 4, 5, 6, 7]

    def locs(index):
        return sorted(tuple(detail["loc"]) for detail in errors[index]["detail"])

    assert locs(1) == [("body", "customers", 1, "email")]
    assert locs(2) == [("body", "customers", 2, "phone")]
    assert locs(3) == [("body", "customers", 3, "store_id")]
    assert locs(4) == [("body", "customers", 4, "external_id")]
    assert locs(5) == [
        ("body", "customers", 5, "email_opt_in"),
        ("body", "customers", 5, "store_id"),
        ("body", "customers", 5, "tags"),
    ]
    assert locs(6) == [("body", "customers", 6)]
    assert locs(7) == [("body", "customers", 7, "external_id")]
    assert [errors[i]["external_id"] for i in range(1, 8)] == [
        "BAD-EMAIL",
        "BAD-PHONE",
        "BAD-STORE",
        None,
        "BAD-TYPES",
        None,
        None,
    ]
    assert all(detail["msg"] for error in body["errors"] for detail in error["detail"])

    assert sorted(Customer.objects.exclude(external_id=None).values_list("external_id", flat=True)) == [
        "ERP-1",
        "ERP-2",
    ]
    hugo = Customer.objects.get(external_id="ERP-1")
    assert (hugo.email, hugo.phone, hugo.tags) == ("hugo.horta@example.com", "+351912345678", ["b2b", "vip"])
    assert hugo.email_opt_in and hugo.email_opt_in_at is not None
    assert list(hugo.rep_codes.values_list("code", flat=True)) == ["R-10"]
    ines = Customer.objects.get(external_id="ERP-2")
    assert str(ines.birthday) == "1990-05-17"
    assert list(ines.assignments.values_list("associate_id", "is_primary")) == [(world.tom.pk, True)]


def test_replaying_the_same_payload_changes_nothing(world, admin_api):
    rows = good_rows(world)
    assert bulk(admin_api, rows).json()["created"] == 2
    before = snapshot()
    replay = bulk(admin_api, rows).json()
    assert (replay["created"], replay["updated"], replay["unchanged"], replay["errors"]) == (0, 0, 2, [])
    assert snapshot() == before  # updated_at included


def test_a_changed_row_updates_only_that_customer(world, admin_api):
    rows = good_rows(world)
    bulk(admin_api, rows)
    ines_before = Customer.objects.get(external_id="ERP-2").updated_at
    rows[0] = {**rows[0], "last_name": "Horta-Silva", "email_opt_in": False}
    result = bulk(admin_api, rows).json()
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 1)
    hugo = Customer.objects.get(external_id="ERP-1")
    assert hugo.last_name == "Horta-Silva"
    assert (hugo.email_opt_in, hugo.email_opt_in_at) == (False, None)
    assert Customer.objects.get(external_id="ERP-2").updated_at == ines_before


def test_unmapped_rep_codes_are_kept_and_warned_then_resolve_once_an_agency_maps_them(world, admin_api):
    business = Business.objects.create(name="Casa Lda", external_id="B-1")
    world.tom.phone = "+351912000111"
    world.tom.save()
    result = bulk(admin_api, good_rows(world, business)).json()
    assert result["warnings"] == [
        {
            "index": 0,
            "external_id": "ERP-1",
            "rep_code": "R-10",
            "detail": "Rep code R-10 is not mapped to an associate yet; "
            "it is kept and resolves once an agency maps it.",
        }
    ]
    hugo = Customer.objects.get(external_id="ERP-1")
    assert CustomerRepCode.objects.filter(customer=hugo, code="R-10").exists()
    assert admin_api.get(f"{API}/customers/{hugo.pk}/reps").json() == []

    agency = admin_api.post(
        f"{API}/agencies",
        {
            "business_id": business.pk,
            "name": "Agência Norte",
            "reps": [{"code": "R-10", "associate_id": world.tom.pk}],
        },
        content_type="application/json",
    )
    assert agency.status_code == 201
    reps = admin_api.get(f"{API}/customers/{hugo.pk}/reps").json()
    assert reps == [
        {
            "id": world.tom.pk,
            "name": "Tom Reis",
            "email": "tom@example.com",
            "phone": "+351912000111",
            "photo_url": f"http://testserver/avatars/{world.tom.pk}.svg",
            "tel_url": "tel:+351912000111",
            "mailto_url": "mailto:tom@example.com",
        }
    ]
    assert bulk(admin_api, good_rows(world, business)).json()["warnings"] == []


def test_a_rep_code_an_associate_holds_resolves_for_every_customer(world, admin_api):
    admin_api.patch(
        f"{API}/associates/{world.bruno.pk}", {"rep_codes": ["R-10"]}, content_type="application/json"
    )
    result = bulk(admin_api, good_rows(world)).json()
    assert result["warnings"] == []
    hugo = Customer.objects.get(external_id="ERP-1")
    assert [rep["name"] for rep in admin_api.get(f"{API}/customers/{hugo.pk}/reps").json()] == ["Bruno Dias"]


def test_assigned_associates_come_first_then_rep_codes_without_duplicates(world, admin_api):
    business = Business.objects.create(name="Casa Lda")
    admin_api.post(
        f"{API}/agencies",
        {
            "business_id": business.pk,
            "name": "A",
            "reps": [
                {"code": "R-1", "associate_id": world.tina.pk},
                {"code": "R-2", "associate_id": world.tom.pk},
            ],
        },
        content_type="application/json",
    )
    bulk(
        admin_api,
        [
            {
                "external_id": "ERP-9",
                "store_id": world.south.pk,
                "business_id": business.pk,
                "rep_codes": ["R-1", "R-2"],
                "assigned_associate_ids": [world.tom.pk],
            }
        ],
    )
    customer = Customer.objects.get(external_id="ERP-9")
    reps = admin_api.get(f"{API}/customers/{customer.pk}/reps").json()
    assert [rep["name"] for rep in reps] == ["Tom Reis", "Tina Sousa"]


def test_only_admins_sync_customers(world, api_as):
    for user in (world.nora.user, world.ana.user, world.shopper.user):
        api = api_as(user)
        before = snapshot()
        assert bulk(api, good_rows(world)).status_code == 403
        assert snapshot() == before


def test_a_batch_that_is_not_a_list_is_refused_whole(world, admin_api):
    response = admin_api.post(
        f"{API}/customers/bulk", {"customers": {"external_id": "X"}}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "customers"]
    too_many = bulk(admin_api, [{"external_id": f"E{i}"} for i in range(1001)])
    assert too_many.status_code == 422
    assert Customer.objects.filter(external_id__isnull=False).count() == 0
