"""The console's My Looks and lookbooks pages through HTTP: making a look with the product picker, sharing
it with picked customers, editing, revoking; what each mode shows; hidden records are 404."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from shopfloor.lookbooks.models import Look, Lookbook, LookbookStatus


def console(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_associate_creates_a_look_with_the_product_picker(world, catalog):
    ana = console(world.ana.user)
    page = ana.get("/console/looks/new/")
    assert page.status_code == 200
    assert "Alfama table lamp" in page.content.decode()
    response = ana.post("/console/looks/new/", {
        "title": "Terrace evenings", "message": "Hello {{first_name}}",
        "product": ["TEX-1", "LGT-1"], "note-TEX-1": "For cool nights", "note-LGT-1": "", "note-TAB-1": "ignored",
    })
    look = Look.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/console/looks/{look.pk}/"
    assert [(i.product.sku, i.note) for i in look.items.all()] == [("TEX-1", "For cool nights"), ("LGT-1", "")]
    assert "Terrace evenings" in ana.get("/console/looks/").content.decode()


def test_a_look_without_products_is_shown_again_with_the_reason(world, catalog):
    response = console(world.ana.user).post("/console/looks/new/", {"title": "Empty"})
    assert response.status_code == 422
    assert "Pick at least one product." in response.content.decode()
    assert Look.objects.count() == 0


def test_sharing_from_the_look_page_makes_lookbooks_and_reports_skipped_customers(world, make_look, run_tasks):
    world.anas_customer.email_opt_in = True
    world.anas_customer.save()
    look = make_look(world.ana)
    ana = console(world.ana.user)
    page = ana.get(f"/console/looks/{look.pk}/").content.decode()
    assert "Share with customers" in page
    assert "Alice Almeida" in page and "Filipa Faria" in page
    assert "Beatriz Brito" not in page  # Bruno's customer
    response = ana.post(f"/console/looks/{look.pk}/share/", {
        "customer": [world.anas_customer.pk, world.shopper.pk],
    }, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "2 lookbooks made from \u201cSummer table\u201d. Sent to Alice Almeida by email." in text
    assert "Not sent to Filipa Faria: no consent to marketing emails; no mobile number." in text
    assert Lookbook.objects.count() == 2
    run_tasks()
    assert [m.to for m in mail.outbox] == [[world.anas_customer.email]]


def test_sharing_with_a_hidden_customer_makes_nothing(world, make_look):
    look = make_look(world.ana)
    response = console(world.ana.user).post(f"/console/looks/{look.pk}/share/", {
        "customer": [world.brunos_customer.pk],
    }, follow=True)
    assert "not one you can share with" in response.content.decode()
    assert Lookbook.objects.count() == 0


@pytest.mark.parametrize("who, status", [("ana", 200), ("bruno", 404), ("nora", 200), ("tom", 404)])
def test_a_look_page_follows_the_visibility_rules(world, make_look, who, status):
    look = make_look(world.ana)
    assert console(getattr(world, who).user).get(f"/console/looks/{look.pk}/").status_code == status


@pytest.mark.parametrize("who, status", [("tom", 200), ("tina", 200), ("sam", 200), ("ana", 404)])
def test_in_team_mode_colleagues_open_each_others_lookbooks(world, make_lookbook, who, status):
    lookbook = make_lookbook(world.tom, world.toms_customer)
    assert console(getattr(world, who).user).get(f"/console/lookbooks/{lookbook.pk}/").status_code == status


def test_the_lookbook_editor_saves_notes_cover_and_expiry_and_revokes(world, make_lookbook):
    lookbook = make_lookbook(world.ana, world.anas_customer)
    in_a_month = (timezone.now() + timedelta(days=30)).date()
    ana = console(world.ana.user)
    page = ana.get(f"/console/lookbooks/{lookbook.pk}/").content.decode()
    assert f"http://testserver/c/lookbook/{lookbook.token}" in page
    response = ana.post(f"/console/lookbooks/{lookbook.pk}/", {
        "title": "Living room, take two", "message": "Updated", "product": ["LGT-1", "TAB-1"],
        "note-LGT-1": "Still my favourite", "note-TAB-1": "New", "cover_sku": "TAB-1",
        "expires_on": in_a_month.isoformat(),
    })
    assert response.status_code == 302
    lookbook.refresh_from_db()
    assert lookbook.title == "Living room, take two"
    assert lookbook.cover_product.sku == "TAB-1"
    assert lookbook.expires_at.date() in (in_a_month, in_a_month + timedelta(days=1))  # the day's end, store time
    assert [(i.product.sku, i.note) for i in lookbook.items.all()] == [("LGT-1", "Still my favourite"),
                                                                         ("TAB-1", "New")]
    ana.post(f"/console/lookbooks/{lookbook.pk}/revoke/")
    lookbook.refresh_from_db()
    assert lookbook.status == LookbookStatus.REVOKED
    assert Client().get(f"/c/lookbook/{lookbook.token}").status_code == 410


def test_a_bad_expiry_date_is_shown_on_the_form(world, make_lookbook):
    lookbook = make_lookbook(world.ana, world.anas_customer)
    response = console(world.ana.user).post(f"/console/lookbooks/{lookbook.pk}/", {
        "title": "x", "product": ["LGT-1"], "expires_on": "31/01/2099",
    })
    assert response.status_code == 422
    assert "A date, like 2026-12-31." in response.content.decode()


def test_a_new_lookbook_for_a_customer_from_their_page(world, catalog):
    ana = console(world.ana.user)
    page = ana.get(f"/console/lookbooks/new/?customer={world.anas_customer.pk}")
    assert page.status_code == 200
    response = ana.post("/console/lookbooks/new/", {
        "customer": world.anas_customer.pk, "title": "Just for you", "product": ["LGT-1"], "publish": "1",
    })
    lookbook = Lookbook.objects.get()
    assert response["Location"] == f"/console/lookbooks/{lookbook.pk}/"
    assert lookbook.status == LookbookStatus.PUBLISHED
    # Someone else's customer: 404, nothing made.
    assert ana.get(f"/console/lookbooks/new/?customer={world.brunos_customer.pk}").status_code == 404


def test_the_lookbooks_list_shows_only_what_the_mode_allows(world, make_lookbook):
    make_lookbook(world.ana, world.anas_customer, title="Ana's pick")
    make_lookbook(world.bruno, world.brunos_customer, title="Bruno's pick")
    page = console(world.ana.user).get("/console/lookbooks/").content.decode()
    assert "Ana&#x27;s pick" in page and "Bruno&#x27;s pick" not in page
    nora = console(world.nora.user).get("/console/lookbooks/").content.decode()
    assert "Ana&#x27;s pick" in nora and "Bruno&#x27;s pick" in nora


def test_the_navigation_offers_my_looks_and_lookbooks(world):
    page = console(world.ana.user).get("/console/lookbooks/").content.decode()
    assert 'href="/console/looks/"' in page and 'href="/console/lookbooks/"' in page


def test_the_editor_sends_the_lookbook_to_the_customer(world, make_lookbook, run_tasks):
    world.anas_customer.email_opt_in = True
    world.anas_customer.save()
    lookbook = make_lookbook(world.ana, world.anas_customer)
    response = console(world.ana.user).post(f"/console/lookbooks/{lookbook.pk}/send/", follow=True)
    assert "Sent to Alice Almeida by email." in response.content.decode()
    run_tasks()
    assert len(mail.outbox) == 1
