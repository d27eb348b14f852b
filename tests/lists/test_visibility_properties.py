"""Lists follow their customer's visibility, over random sets of lists: a property of the access policy."""

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopfloor.access import actor_for, can_restore_list, can_see_customer, visible_lists
from shopfloor.lists.models import CustomerList

CUSTOMERS = ["anas_customer", "brunos_customer", "toms_customer", "tinas_customer", "unassigned_south", "shopper"]
PEOPLE = ["ana", "bruno", "nora", "tom", "tina", "sam", "admin", "shopper"]
AUTHORS = ["ana", "bruno", "nora", "tom", "tina", "sam"]

list_sets = st.lists(
    st.tuples(st.sampled_from(CUSTOMERS), st.sampled_from(AUTHORS), st.booleans()), min_size=1, max_size=8,
)  # (customer, author, is deleted)


def _user(world, name):
    if name == "admin":
        return world.admin
    if name == "shopper":
        return world.shopper.user
    return getattr(world, name).user


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=list_sets)
def test_a_list_is_visible_exactly_when_its_customer_is_and_it_is_not_deleted(world, rows):
    with transaction.atomic():
        made = []
        for customer_name, author, deleted in rows:
            customer = getattr(world, customer_name)
            made.append(CustomerList.objects.create(
                customer=customer, name="L", created_by=_user(world, author),
                deleted_at=timezone.now() if deleted else None,
            ))
        for person in PEOPLE:
            actor = actor_for(_user(world, person))
            sees = {c.pk for c in made if can_see_customer(actor, c.customer)}
            live = {c.pk for c in made if c.deleted_at is None}
            assert set(visible_lists(actor).filter(pk__in=[c.pk for c in made]).values_list("pk", flat=True)) == (
                sees & live)
            deleted = set(visible_lists(actor, deleted=True).filter(pk__in=[c.pk for c in made])
                          .values_list("pk", flat=True))
            assert deleted == sees - live
            for customer_list in made:
                manager_of_store = actor.is_manager and actor.store.pk == customer_list.customer.store_id
                expected = actor.is_admin or customer_list.created_by_id == actor.user.pk or manager_of_store
                assert can_restore_list(actor, customer_list) == expected
        transaction.set_rollback(True)
