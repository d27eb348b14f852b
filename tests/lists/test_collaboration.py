"""Notify Customer and the customer's page: a signed, revocable link; comments, quantities, the bag."""

import json

import pytest
from django.core import mail
from django.test import Client

from shopfloor.access import NotVisible
from shopfloor.attribution.models import Interaction, InteractionKind
from shopfloor.catalog.bag import SESSION_KEY
from shopfloor.lists import selectors, services
from shopfloor.lists.models import ListComment


@pytest.fixture
def notified(world, api_as, anas_list, run_tasks):
    response = api_as(world.ana.user).post(f"/api/v1/lists/{anas_list.pk}/notify")
    assert response.status_code == 200
    run_tasks()
    return response.json()["url"]


def _path(url: str) -> str:
    return url[url.index("/c/list/"):]


def test_notify_emails_the_customer_a_link_and_records_an_interaction(world, anas_list, notified):
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.anas_customer.email]
    assert "Living room refresh" in message.subject
    assert notified in message.body
    assert notified.startswith("http://testserver/c/list/")
    interaction = Interaction.objects.get()
    assert (interaction.associate, interaction.kind, interaction.customer) == (
        world.ana, InteractionKind.LIST_NOTIFY, world.anas_customer)
    anas_list.refresh_from_db()
    assert anas_list.notified_at is not None


def test_the_link_opens_the_list_for_the_customer(world, anas_list, notified):
    response = Client().get(_path(notified))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Living room refresh", "Cork Table Lamp", "Linen Sofa Throw", "Stoneware Serving Bowl",
                 "Living room", "Kitchen", "By the reading chair"):
        assert text in page


@pytest.mark.parametrize("mangle", [
    lambda token: token[:-1] + ("0" if token[-1] != "0" else "1"),  # one character of the signature
    lambda token: str(int(token.split("-")[0]) + 1) + "-" + token.split("-")[1],  # another list's id
    lambda token: token.split("-")[0],  # no signature
    lambda token: token.split("-")[0] + "-",
    lambda token: "abc-" + token.split("-")[1],
    lambda token: "9" * 40 + "-" + token.split("-")[1],
    lambda token: token + "x",
])
def test_tampered_links_are_refused_with_a_clear_404_page(world, anas_list, notified, mangle):
    token = _path(notified).split("/")[3]
    response = Client().get(f"/c/list/{mangle(token)}/")
    assert response.status_code == 404
    assert "This link does not open a list" in response.content.decode()
    assert "Cork Table Lamp" not in response.content.decode()


def test_tampered_links_cannot_post_either(world, anas_list, notified):
    token = _path(notified).split("/")[3]
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    lamp = anas_list.items.get(product__sku="LAMP-1")
    client = Client()
    assert client.post(f"/c/list/{forged}/comment/", {"body": "hi"}).status_code == 404
    assert client.post(f"/c/list/{forged}/items/{lamp.pk}/quantity/", {"quantity": 7}).status_code == 404
    assert not ListComment.objects.exists()
    lamp.refresh_from_db()
    assert lamp.quantity == 2


def test_revoking_rotates_the_secret_so_old_links_stop_working(world, api_as, anas_list, notified):
    response = api_as(world.ana.user).post(f"/api/v1/lists/{anas_list.pk}/revoke-link")
    assert response.status_code == 200
    assert Client().get(_path(notified)).status_code == 404
    anas_list.refresh_from_db()
    assert Client().get(services.collaboration_path(anas_list)).status_code == 200


def test_a_deleted_lists_link_is_refused(world, api_as, anas_list, notified):
    api_as(world.ana.user).delete(f"/api/v1/lists/{anas_list.pk}")
    assert Client().get(_path(notified)).status_code == 404


def test_the_customer_comments_on_the_list_and_on_an_item(world, anas_list, notified):
    path = _path(notified)
    lamp = anas_list.items.get(product__sku="LAMP-1")
    client = Client()
    response = client.post(f"{path}comment/", {"body": "Love it!\nCan it be <b>brass</b>?"})
    assert response.status_code == 302
    client.post(f"{path}comment/", {"body": "Too tall?", "item_id": lamp.pk})
    comments = list(ListComment.objects.order_by("id"))
    assert [(c.body, c.item_id, c.author_customer_id, c.author_name) for c in comments] == [
        ("Love it!\nCan it be brass?", None, world.anas_customer.pk, "Alice Almeida"),
        ("Too tall?", lamp.pk, world.anas_customer.pk, "Alice Almeida"),
    ]
    page = client.get(path).content.decode()
    assert "Love it!<br>Can it be brass?" in page


def test_the_customers_comment_is_rendered_escaped(world, anas_list, notified):
    path = _path(notified)
    client = Client()
    client.post(f"{path}comment/", {"body": "5 < 6 & &lt;script&gt;alert(1)&lt;/script&gt;"})
    page = client.get(path).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_too_long_comment_from_the_customer_is_refused_with_a_message(world, anas_list, notified):
    response = Client().post(f"{_path(notified)}comment/", {"body": "x" * 2001}, follow=True)
    assert response.status_code == 200
    assert "At most 2000 characters" in response.content.decode()
    assert not ListComment.objects.exists()


def test_the_customer_changes_a_quantity_but_nothing_else(world, anas_list, notified):
    path = _path(notified)
    lamp = anas_list.items.get(product__sku="LAMP-1")
    client = Client()
    assert client.post(f"{path}items/{lamp.pk}/quantity/", {"quantity": "3", "room": "Attic"}).status_code == 302
    lamp.refresh_from_db()
    assert (lamp.quantity, lamp.room.name) == (3, "Living room")
    response = client.post(f"{path}items/{lamp.pk}/quantity/", {"quantity": "0"}, follow=True)
    assert "From 1 to 999" in response.content.decode()
    lamp.refresh_from_db()
    assert lamp.quantity == 3


def test_an_item_of_another_list_cannot_be_changed_through_this_link(world, api_as, anas_list, notified, as_actor):
    other = services.create_list(as_actor(world.bruno), world.brunos_customer, "Bruno's")
    [rug] = services.save_product(as_actor(world.bruno), [other], "RUG-4", "Hall")
    response = Client().post(f"{_path(notified)}items/{rug.pk}/quantity/", {"quantity": 7})
    assert response.status_code == 404
    rug.refresh_from_db()
    assert rug.quantity == 1


def test_the_customer_adds_an_item_to_the_demo_shops_bag(world, anas_list, notified):
    lamp = anas_list.items.get(product__sku="LAMP-1")
    client = Client()
    assert client.post(f"{_path(notified)}items/{lamp.pk}/bag/").status_code == 302
    assert client.session[SESSION_KEY] == {"LAMP-1": 2}


def test_a_signed_in_shopper_opens_their_own_list_from_their_session(world, as_actor, products):
    customer_list = services.create_list(as_actor(world.ana), world.shopper, "Filipa's flat")
    client = Client()
    client.force_login(world.shopper.user)
    response = client.get(f"/c/lists/{customer_list.pk}/")
    assert response.status_code == 302
    assert response["Location"] == services.collaboration_path(customer_list)
    assert client.get(response["Location"]).status_code == 200
    account = client.get("/shop/account/").content.decode()
    assert "Filipa&#x27;s flat" in account or "Filipa's flat" in account


def test_a_shopper_cannot_open_someone_elses_list_from_their_session(world, anas_list):
    client = Client()
    client.force_login(world.shopper.user)
    assert client.get(f"/c/lists/{anas_list.pk}/").status_code == 404


def test_an_associate_who_shops_too_opens_only_their_own_lists_from_the_shop(world, anas_list, as_actor):
    # Ana sees Alice's list in the console; on the shop, "my list" is only her own customer profile's.
    world.shopper.user = world.ana.user
    world.shopper.save()
    own = services.create_list(as_actor(world.ana), world.shopper, "Ana's own flat")
    client = Client()
    client.force_login(world.ana.user)
    assert client.get(f"/c/lists/{anas_list.pk}/").status_code == 404
    response = client.get(f"/c/lists/{own.pk}/")
    assert response.status_code == 302 and response["Location"] == services.collaboration_path(own)
    with pytest.raises(NotVisible):
        selectors.get_own_list(as_actor(world.bruno), own.pk)


def test_notifying_a_customer_without_email_is_a_conflict(world, api_as, anas_list, run_tasks):
    world.anas_customer.email = ""
    world.anas_customer.save()
    response = api_as(world.ana.user).post(f"/api/v1/lists/{anas_list.pk}/notify")
    assert response.status_code == 409
    run_tasks()
    assert not Interaction.objects.exists()
    assert mail.outbox == []


def test_notify_works_from_the_api_with_json_and_an_idempotency_key(world, api_as, anas_list, run_tasks):
    client = api_as(world.ana.user)
    first = client.post(f"/api/v1/lists/{anas_list.pk}/notify", json.dumps({}), content_type="application/json",
                        headers={"Idempotency-Key": "n-1"})
    again = client.post(f"/api/v1/lists/{anas_list.pk}/notify", json.dumps({}),
                        content_type="application/json", headers={"Idempotency-Key": "n-1"})
    run_tasks()
    assert (first.status_code, again.status_code) == (200, 200)
    assert Interaction.objects.count() == 1
    assert len(mail.outbox) == 1
