"""/looks and POST /looks/{id}/share through HTTP: visibility in both modes, one personalised lookbook per
customer, sent as consent allows, the others reported with the reason."""

import pytest
from django.core import mail
from django.test import Client

from shopfloor import sms
from shopfloor.lookbooks.models import Look, Lookbook
from shopfloor.outreach.models import OutreachMessage
from tests.lookbooks.test_lookbooks_api import user_of

NORTH_SEES = {"ana": True, "bruno": False, "nora": True, "tom": False, "admin": True}
SOUTH_SEES = {"tom": True, "tina": True, "sam": True, "ana": False, "admin": True}


@pytest.mark.parametrize("who, sees", NORTH_SEES.items())
def test_an_associate_mode_look_is_its_authors(world, api_as, make_look, who, sees):
    look = make_look(world.ana)
    client = api_as(user_of(world, who))
    assert client.get(f"/api/v1/looks/{look.pk}").status_code == (200 if sees else 404)
    assert (look.pk in [item["id"] for item in client.get("/api/v1/looks").json()["items"]]) is sees


@pytest.mark.parametrize("who, sees", SOUTH_SEES.items())
def test_a_team_mode_look_is_the_stores(world, api_as, make_look, who, sees):
    look = make_look(world.tom)
    assert api_as(user_of(world, who)).get(f"/api/v1/looks/{look.pk}").status_code == (200 if sees else 404)


def test_a_colleague_cannot_share_change_or_delete_a_hidden_look(world, api_as, make_look):
    look = make_look(world.ana)
    bruno = api_as(world.bruno.user)
    assert bruno.post(f"/api/v1/looks/{look.pk}/share", {"customer_ids": [world.brunos_customer.pk]},
                      content_type="application/json").status_code == 404
    assert bruno.patch(f"/api/v1/looks/{look.pk}", {"title": "x"}, content_type="application/json").status_code == 404
    assert bruno.delete(f"/api/v1/looks/{look.pk}").status_code == 404
    assert Lookbook.objects.count() == 0
    assert Look.objects.get().title == "Summer table"


def test_an_associate_creates_a_look(world, api_as, catalog):
    response = api_as(world.ana.user).post("/api/v1/looks", {
        "title": "Cosy evenings", "message": "Hi {{first_name}}",
        "items": [{"sku": "TEX-1", "note": "Soft"}, {"sku": "LGT-1"}],
    }, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["author_id"], body["store_id"]) == (world.ana.pk, world.north.pk)
    assert [(i["sku"], i["note"]) for i in body["items"]] == [("TEX-1", "Soft"), ("LGT-1", "")]


def test_a_look_needs_a_title_and_a_product(world, api_as, catalog):
    response = api_as(world.ana.user).post("/api/v1/looks", {"title": "", "items": []},
                                           content_type="application/json")
    assert response.status_code == 422
    assert {tuple(e["loc"]) for e in response.json()["detail"]} == {("body", "title")}
    response = api_as(world.ana.user).post("/api/v1/looks", {"title": "Empty", "items": []},
                                           content_type="application/json")
    assert [tuple(e["loc"]) for e in response.json()["detail"]] == [("body", "items")]
    assert Look.objects.count() == 0


@pytest.fixture
def team_customers(world):
    """Three South customers: one agreed to email, one to SMS only, one to nothing."""
    carla, daniel, eva = world.toms_customer, world.tinas_customer, world.unassigned_south
    carla.email_opt_in = True
    carla.save()
    daniel.phone, daniel.sms_opt_in = "+351912000111", True
    daniel.save()
    return carla, daniel, eva


def test_sharing_makes_one_personal_lookbook_each_sent_as_consent_allows(world, api_as, make_look, team_customers,
                                                                         settings, run_tasks):
    settings.SMS_URL = "locmem://"
    sms.outbox.clear()
    carla, daniel, eva = team_customers
    look = make_look(world.tom)
    tina = api_as(world.tina.user)
    # Tina shares Tom's look: in team mode it is the store's.
    response = tina.post(f"/api/v1/looks/{look.pk}/share", {
        "customer_ids": [carla.pk, daniel.pk, eva.pk],
    }, content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert len(body["lookbooks"]) == 3
    by_customer = {lb["customer_id"]: lb for lb in body["lookbooks"]}
    assert by_customer[carla.pk]["message"] == "Hello Carla, for your terrace."
    assert by_customer[daniel.pk]["message"] == "Hello Daniel, for your terrace."
    assert all(lb["status"] == "published" for lb in body["lookbooks"])
    # The messages as written; a worker delivers them once the request has committed.
    assert {(s["customer_id"], s["channel"], s["status"]) for s in body["sent"]} == {
        (carla.pk, "email", "queued"), (daniel.pk, "sms", "queued")}
    assert [(s["customer_id"], s["reason"]) for s in body["skipped"]] == [
        (eva.pk, "no consent to marketing emails; no mobile number")]
    run_tasks()
    delivered = {(m["customer_id"], m["channel"], m["status"])
                 for m in tina.get("/api/v1/outreach").json()["items"]}
    assert delivered == {(carla.pk, "email", "sent"), (daniel.pk, "sms", "sent")}

    [email] = mail.outbox
    assert email.to == [carla.email]
    assert "Hello Carla" in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [text] = sms.outbox
    assert text["to"] == "+351912000111"
    assert "Tina Sousa picked \u201cSummer table\u201d for you: http://testserver/o/l/" in text["body"]
    # The lookbooks are Tina's, made from Tom's look, in the store.
    assert set(Lookbook.objects.values_list("author_id", "look_id", "store_id")) == {
        (world.tina.pk, look.pk, world.south.pk)}
    assert OutreachMessage.objects.filter(source_ref__startswith="lookbook:").count() == 2


def test_the_link_in_the_email_leads_to_the_customers_lookbook(world, api_as, make_look, team_customers,
                                                               run_tasks):
    carla, _, _ = team_customers
    look = make_look(world.tom)
    api_as(world.tom.user).post(f"/api/v1/looks/{look.pk}/share", {"customer_ids": [carla.pk]},
                                content_type="application/json")
    run_tasks()
    [email] = mail.outbox
    tracked = next(word for word in email.body.split() if "/o/l/" in word)
    response = Client().get(tracked.replace("http://testserver", ""))
    lookbook = Lookbook.objects.get(customer=carla)
    assert response.status_code == 302
    assert response["Location"] == f"http://testserver/c/lookbook/{lookbook.token}"


def test_sharing_with_one_hidden_customer_makes_nothing(world, api_as, make_look, run_tasks):
    look = make_look(world.ana)
    response = api_as(world.ana.user).post(f"/api/v1/looks/{look.pk}/share", {
        "customer_ids": [world.anas_customer.pk, world.brunos_customer.pk],
    }, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "customer_ids"]
    assert Lookbook.objects.count() == 0
    run_tasks()
    assert mail.outbox == []


def test_sharing_by_a_channel_the_customer_did_not_agree_to_is_skipped(world, api_as, make_look, run_tasks):
    world.anas_customer.email_opt_in = True
    world.anas_customer.save()
    look = make_look(world.ana)
    body = api_as(world.ana.user).post(f"/api/v1/looks/{look.pk}/share", {
        "customer_ids": [world.anas_customer.pk], "channel": "sms",
    }, content_type="application/json").json()
    assert body["sent"] == []
    assert body["skipped"][0]["reason"] == "no mobile number"
    run_tasks()
    assert mail.outbox == []


def test_share_input_is_checked(world, api_as, make_look):
    look = make_look(world.ana)
    client = api_as(world.ana.user)
    for payload, loc in (({"customer_ids": []}, ["body", "customer_ids"]),
                         ({"customer_ids": [world.anas_customer.pk], "channel": "fax"}, ["body", "channel"])):
        response = client.post(f"/api/v1/looks/{look.pk}/share", payload, content_type="application/json")
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == loc
    assert Lookbook.objects.count() == 0


def test_deleting_a_look_keeps_its_lookbooks(world, api_as, make_look):
    look = make_look(world.ana)
    client = api_as(world.ana.user)
    client.post(f"/api/v1/looks/{look.pk}/share", {"customer_ids": [world.anas_customer.pk]},
                content_type="application/json")
    assert client.delete(f"/api/v1/looks/{look.pk}").status_code == 204
    assert Lookbook.objects.get().look is None
