"""Signed shopper identities: only the store's own, fresh, untampered signature names anyone."""

import hashlib
import hmac
import time

import pytest

from shopfloor.customers.models import CustomerGroup
from shopfloor.widget.models import WidgetSettings
from shopfloor.widget.services import (
    ANONYMOUS,
    IDENTITY_MAX_AGE,
    Kind,
    sign_identity,
    verify_identity,
)
from tests.factories import make_associate, make_customer


def test_a_signed_customer_id_is_that_customer(world):
    identity, signature = sign_identity(world.north, customer_id=world.shopper.pk)

    verified = verify_identity(world.north, identity, signature)

    assert verified.kind == Kind.CUSTOMER
    assert verified.customer_id == world.shopper.pk
    assert verified.name == "Filipa Faria"


def test_the_signature_is_hex_hmac_sha256_of_the_identity_with_the_widget_secret(world):
    # The recipe in the README, written out by hand as an integrator would.
    identity = f"email:ana@example.com|{int(time.time())}"
    signature = hmac.new(world.north.widget_secret.encode(), identity.encode(), hashlib.sha256).hexdigest()

    verified = verify_identity(world.north, identity, signature)

    assert verified.kind == Kind.ASSOCIATE
    assert verified.associate_id == world.ana.pk


def test_an_associates_email_is_the_associate_with_the_panel(world):
    verified = verify_identity(world.north, *sign_identity(world.north, email="ANA@example.com"))

    assert (verified.kind, verified.associate_id, verified.name) == (Kind.ASSOCIATE, world.ana.pk, "Ana Pop")


def test_a_customer_id_whose_login_is_an_associates_is_the_associate(world):
    customer = make_customer(world.north, "Ana", "Pop", email="ana.private@example.net", user=world.ana.user)

    verified = verify_identity(world.north, *sign_identity(world.north, customer_id=customer.pk))

    assert (verified.kind, verified.associate_id) == (Kind.ASSOCIATE, world.ana.pk)


def test_a_customer_whose_contact_address_is_an_associates_login_is_only_a_customer(world):
    # Anyone can type an associate's address into a customer record; only a login proves it.
    customer = make_customer(world.north, "Not", "Ana", email="ana@example.com")

    verified = verify_identity(world.north, *sign_identity(world.north, customer_id=customer.pk))

    assert (verified.kind, verified.customer_id) == (Kind.CUSTOMER, customer.pk)


def test_a_customer_in_the_associates_group_is_the_associate_with_that_address(world):
    group = CustomerGroup.objects.create(name="Our associates")
    customer = make_customer(world.north, "Ana", "Pop", email="ana@example.com", group=group)
    WidgetSettings.objects.create(store=world.north, associates_group=group)

    verified = verify_identity(world.north, *sign_identity(world.north, customer_id=customer.pk))

    assert (verified.kind, verified.associate_id) == (Kind.ASSOCIATE, world.ana.pk)


def test_an_associates_contact_address_that_is_not_their_login_gives_no_panel(world):
    world.bruno.email = "bruno.contact@example.com"
    world.bruno.save()

    verified = verify_identity(world.north, *sign_identity(world.north, email="bruno.contact@example.com"))

    assert verified.kind != Kind.ASSOCIATE


@pytest.mark.parametrize("tamper", [
    "forged with another secret",
    "identity changed after signing",
    "signature changed",
    "signature truncated",
    "signed by another store",
    "no signature",
])
def test_a_forged_or_tampered_identity_is_anonymous(world, tamper):
    identity, signature = sign_identity(world.north, email="ana@example.com")
    if tamper == "forged with another secret":
        signature = hmac.new(b"guessed-secret", identity.encode(), hashlib.sha256).hexdigest()
    elif tamper == "identity changed after signing":
        identity = identity.replace("ana@", "bruno@")
    elif tamper == "signature changed":
        signature = ("0" if signature[0] != "0" else "1") + signature[1:]
    elif tamper == "signature truncated":
        signature = signature[:32]
    elif tamper == "signed by another store":
        identity, signature = sign_identity(world.south, email="ana@example.com")
    else:
        signature = ""

    assert verify_identity(world.north, identity, signature) == ANONYMOUS


def test_an_expired_identity_is_anonymous(world):
    issued = int(time.time()) - IDENTITY_MAX_AGE - 1

    assert verify_identity(world.north, *sign_identity(world.north, email="ana@example.com", issued_at=issued)) \
        == ANONYMOUS


def test_an_identity_from_the_future_is_anonymous(world):
    issued = int(time.time()) + 3600

    assert verify_identity(world.north, *sign_identity(world.north, email="ana@example.com", issued_at=issued)) \
        == ANONYMOUS


@pytest.mark.parametrize("identity", [
    "ana@example.com", "email:ana@example.com", "email:ana@example.com|", "phone:+351912345678|1732870000",
    "customer_id:abc|1732870000", "email:ana@example.com|17328700001234567", "email:a b@x|1732870000", "",
])
def test_a_malformed_identity_is_anonymous_even_when_signed(world, identity):
    signature = hmac.new(world.north.widget_secret.encode(), identity.encode(), hashlib.sha256).hexdigest()

    assert verify_identity(world.north, identity, signature) == ANONYMOUS


def test_an_unknown_customer_id_is_anonymous(world):
    assert verify_identity(world.north, *sign_identity(world.north, customer_id=999_999)) == ANONYMOUS


def test_an_email_shopfloor_does_not_know_is_a_verified_shopper_without_a_customer(world):
    verified = verify_identity(world.north, *sign_identity(world.north, email="new.shopper@example.com"))

    assert (verified.kind, verified.email, verified.customer_id) == (Kind.CUSTOMER, "new.shopper@example.com", None)


def test_an_inactive_associate_or_one_without_a_login_gets_no_panel(world):
    world.bruno.active = False
    world.bruno.save()
    make_associate(world.north, "No Login", "nologin@example.com", with_login=False)

    bruno = verify_identity(world.north, *sign_identity(world.north, email="bruno@example.com"))
    no_login = verify_identity(world.north, *sign_identity(world.north, email="nologin@example.com"))

    assert bruno.kind != Kind.ASSOCIATE
    assert no_login.kind != Kind.ASSOCIATE


def test_another_stores_associate_gets_the_panel_only_through_the_associates_group(world):
    signed = sign_identity(world.north, email="tom@example.com")
    assert verify_identity(world.north, *signed).kind != Kind.ASSOCIATE

    group = CustomerGroup.objects.create(name="Travelling agents")
    group.associates.add(world.tom)
    WidgetSettings.objects.create(store=world.north, associates_group=group)

    verified = verify_identity(world.north, *signed)
    assert (verified.kind, verified.associate_id) == (Kind.ASSOCIATE, world.tom.pk)
