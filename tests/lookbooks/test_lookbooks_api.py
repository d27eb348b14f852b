"""/lookbooks through HTTP: who sees which lookbook in each mode, making, editing, publishing, revoking."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from shopfloor.lookbooks.models import Lookbook, LookbookStatus
from shopfloor.outreach.models import TrackedLink


@pytest.fixture
def anas_lookbook(world, make_lookbook):
    return make_lookbook(world.ana, world.anas_customer)


@pytest.fixture
def toms_lookbook(world, make_lookbook):
    return make_lookbook(world.tom, world.toms_customer)


# Visibility: author only in associate mode; the store's associates in team mode -------------------

NORTH_SEES = {"ana": True, "bruno": False, "nora": True, "tom": False, "sam": False, "admin": True}
SOUTH_SEES = {"tom": True, "tina": True, "sam": True, "ana": False, "nora": False, "admin": True}


def user_of(world, who):
    return world.admin if who == "admin" else getattr(world, who).user


@pytest.mark.parametrize("who, sees", NORTH_SEES.items())
def test_an_associate_mode_lookbook_is_seen_by_its_author_their_manager_and_admins(
    world, api_as, anas_lookbook, who, sees
):
    client = api_as(user_of(world, who))
    response = client.get(f"/api/v1/lookbooks/{anas_lookbook.pk}")
    assert response.status_code == (200 if sees else 404)
    listed = [item["id"] for item in client.get("/api/v1/lookbooks").json()["items"]]
    assert (anas_lookbook.pk in listed) is sees


@pytest.mark.parametrize("who, sees", SOUTH_SEES.items())
def test_a_team_mode_lookbook_is_seen_by_every_associate_of_the_store(world, api_as, toms_lookbook, who, sees):
    response = api_as(user_of(world, who)).get(f"/api/v1/lookbooks/{toms_lookbook.pk}")
    assert response.status_code == (200 if sees else 404)


def test_a_hidden_lookbook_cannot_be_changed_revoked_or_published(world, api_as, anas_lookbook):
    bruno = api_as(world.bruno.user)
    assert bruno.patch(f"/api/v1/lookbooks/{anas_lookbook.pk}", {"title": "Mine now"},
                       content_type="application/json").status_code == 404
    assert bruno.post(f"/api/v1/lookbooks/{anas_lookbook.pk}/revoke").status_code == 404
    anas_lookbook.refresh_from_db()
    assert (anas_lookbook.title, anas_lookbook.status) == ("For your living room", LookbookStatus.PUBLISHED)


def test_the_shopper_and_anonymous_callers_see_no_lookbooks(world, api_as, anas_lookbook):
    assert api_as(world.shopper.user).get("/api/v1/lookbooks").status_code == 403
    assert Client().get("/api/v1/lookbooks").status_code == 401


# Making and editing ------------------------------------------------------------------------------


def test_an_associate_makes_a_published_lookbook_for_their_customer(world, api_as, catalog):
    response = api_as(world.ana.user).post("/api/v1/lookbooks", {
        "customer_id": world.anas_customer.pk, "title": "Lamps for the hall", "message": "Have a look.",
        "items": [{"sku": "LGT-1", "note": "The brass one"}, {"sku": "TAB-1"}], "cover_sku": "TAB-1",
        "publish": True,
    }, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    lookbook = Lookbook.objects.get(pk=body["id"])
    assert body["customer_id"] == world.anas_customer.pk
    assert body["status"] == "published"
    assert body["url"] == f"http://testserver/c/lookbook/{lookbook.token}"
    assert len(lookbook.token) >= 32
    assert [(item["sku"], item["note"]) for item in body["items"]] == [("LGT-1", "The brass one"), ("TAB-1", "")]
    assert body["cover_sku"] == "TAB-1"
    assert body["opened_at"] is None


def test_a_lookbook_for_a_customer_the_associate_does_not_see_is_refused_as_unknown(world, api_as, catalog):
    response = api_as(world.ana.user).post("/api/v1/lookbooks", {
        "customer_id": world.brunos_customer.pk, "title": "Ideas", "items": [{"sku": "LGT-1"}],
    }, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "customer_id"]
    assert Lookbook.objects.count() == 0


def test_bad_lookbook_input_names_each_field_and_writes_nothing(world, api_as, catalog):
    response = api_as(world.ana.user).post("/api/v1/lookbooks", {
        "customer_id": world.anas_customer.pk, "title": " ",
        "items": [{"sku": "LGT-1"}, {"sku": "NOPE"}, {"sku": "LGT-1"}], "cover_sku": "TEX-1",
        "expires_at": (timezone.now() - timedelta(days=1)).isoformat(),
    }, content_type="application/json")
    assert response.status_code == 422
    locs = {tuple(error["loc"]) for error in response.json()["detail"]}
    assert locs == {("body", "title"), ("body", "items", 1, "sku"), ("body", "items", 2, "sku"),
                    ("body", "expires_at"), ("body", "cover_sku")}
    assert Lookbook.objects.count() == 0


def test_patching_replaces_the_products_and_keeps_what_is_left_out(world, api_as, anas_lookbook):
    response = api_as(world.ana.user).patch(f"/api/v1/lookbooks/{anas_lookbook.pk}", {
        "items": [{"sku": "TAB-1", "note": "Smaller"}],
    }, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "For your living room"
    assert [(item["sku"], item["note"]) for item in body["items"]] == [("TAB-1", "Smaller")]
    assert body["cover_sku"] == "TAB-1"


def test_revoking_and_publishing_again_keep_the_same_link(world, api_as, anas_lookbook):
    client = api_as(world.ana.user)
    revoked = client.post(f"/api/v1/lookbooks/{anas_lookbook.pk}/revoke").json()
    assert revoked["status"] == "revoked"
    assert client.post(f"/api/v1/lookbooks/{anas_lookbook.pk}/revoke").json()["status"] == "revoked"
    published = client.post(f"/api/v1/lookbooks/{anas_lookbook.pk}/publish").json()
    assert published["status"] == "published"
    assert published["url"] == revoked["url"]


def test_a_draft_without_products_cannot_be_published(world, api_as, make_lookbook):
    lookbook = make_lookbook(world.ana, world.anas_customer, publish=False, items=[])
    response = api_as(world.ana.user).post(f"/api/v1/lookbooks/{lookbook.pk}/publish")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "items"]
    lookbook.refresh_from_db()
    assert lookbook.status == LookbookStatus.DRAFT


def test_the_list_filters_by_customer_and_status(world, api_as, make_lookbook):
    first = make_lookbook(world.ana, world.anas_customer)
    make_lookbook(world.ana, world.shopper, publish=False)
    client = api_as(world.ana.user)
    body = client.get(f"/api/v1/lookbooks?customer_id={world.anas_customer.pk}").json()
    assert (body["count"], [item["id"] for item in body["items"]]) == (1, [first.pk])
    assert client.get("/api/v1/lookbooks?status=draft").json()["count"] == 1


def test_admins_read_lookbooks_but_do_not_author_them(world, admin_api, catalog):
    response = admin_api.post("/api/v1/lookbooks", {
        "customer_id": world.anas_customer.pk, "title": "From head office", "items": [{"sku": "LGT-1"}],
    }, content_type="application/json")
    assert response.status_code == 403
    assert Lookbook.objects.count() == 0


def test_a_lookbook_is_sent_to_its_customer_as_consent_allows(world, api_as, make_lookbook, run_tasks):
    lookbook = make_lookbook(world.ana, world.anas_customer)
    client = api_as(world.ana.user)
    refused = client.post(f"/api/v1/lookbooks/{lookbook.pk}/send", {}, content_type="application/json").json()
    assert refused == {"sent": False, "channel": None, "status": "",
                       "reason": "no consent to marketing emails; no mobile number"}
    run_tasks()
    assert mail.outbox == []
    world.anas_customer.email_opt_in = True
    world.anas_customer.save()
    sent = client.post(f"/api/v1/lookbooks/{lookbook.pk}/send", {}, content_type="application/json").json()
    # The message as written; a worker delivers it once the request has committed.
    assert (sent["sent"], sent["channel"], sent["status"]) == (True, "email", "queued")
    run_tasks()
    [message] = client.get(f"/api/v1/outreach?customer_id={world.anas_customer.pk}").json()["items"]
    assert (message["channel"], message["status"]) == ("email", "sent")
    [email] = mail.outbox
    assert email.to == [world.anas_customer.email]


def test_sending_an_older_lookbook_links_that_one_not_the_customers_latest(world, api_as, make_lookbook):
    world.anas_customer.email_opt_in = True
    world.anas_customer.save()
    older = make_lookbook(world.ana, world.anas_customer, title="First picks")
    make_lookbook(world.ana, world.anas_customer, title="Second picks")
    response = api_as(world.ana.user).post(f"/api/v1/lookbooks/{older.pk}/send", {}, content_type="application/json")
    assert response.json()["sent"] is True
    assert TrackedLink.objects.get().url == f"http://testserver/c/lookbook/{older.token}"


def test_a_revoked_lookbook_is_not_sent(world, api_as, make_lookbook, run_tasks):
    world.anas_customer.email_opt_in = True
    world.anas_customer.save()
    lookbook = make_lookbook(world.ana, world.anas_customer)
    client = api_as(world.ana.user)
    client.post(f"/api/v1/lookbooks/{lookbook.pk}/revoke")
    response = client.post(f"/api/v1/lookbooks/{lookbook.pk}/send", {}, content_type="application/json")
    assert response.status_code == 409
    run_tasks()
    assert mail.outbox == []
    assert api_as(world.bruno.user).post(f"/api/v1/lookbooks/{lookbook.pk}/send", {},
                                         content_type="application/json").status_code == 404
