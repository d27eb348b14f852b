"""Small builders for test data, through the same services the product uses where it matters."""

import itertools

from shopfloor.accounts.models import Associate, AssociateRole, SellingMode, Store, User
from shopfloor.customers.models import Customer, CustomerAssignment
from shopfloor.customers.services import refresh_search_fields

_sequence = itertools.count(1)

PASSWORD = "correct-horse-9"


def make_user(email, password=PASSWORD, **fields):
    return User.objects.create_user(email=email, password=password, **fields)


def make_store(code, name, mode=SellingMode.ASSOCIATE, **fields):
    return Store.objects.create(code=code, name=name, selling_mode=mode, **fields)


def make_associate(store, name, email=None, role=AssociateRole.ASSOCIATE, with_login=True, **fields):
    user = make_user(email, name=name) if (email and with_login) else None
    return Associate.objects.create(store=store, name=name, email=email or "", role=role, user=user, **fields)


def make_customer(store, first_name, last_name, primary=None, others=(), email=None, phone="", **fields):
    n = next(_sequence)
    customer = Customer(
        store=store, first_name=first_name, last_name=last_name,
        email=email or f"{first_name.lower()}.{last_name.lower()}{n}@example.com", phone=phone, **fields,
    )
    refresh_search_fields(customer)
    customer.save()
    if primary is not None:
        CustomerAssignment.objects.create(customer=customer, associate=primary, is_primary=True)
    for associate in others:
        CustomerAssignment.objects.create(customer=customer, associate=associate)
    return customer
