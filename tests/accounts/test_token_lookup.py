"""The bearer token's read (accounts.services.user_for_token): one statement, the ORM's values."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from shopfloor.access import Actor
from shopfloor.accounts.models import ApiToken, User
from shopfloor.accounts.services import create_api_token, user_for_token
from tests.factories import make_user


def values(instance) -> list:
    return [getattr(instance, field.attname) for field in instance._meta.concrete_fields]


@pytest.mark.parametrize("who", ["tom", "nora"])
def test_an_associates_token_brings_the_user_associate_and_store_in_one_query(world, who, django_assert_num_queries):
    associate = getattr(world, who)
    _, token = create_api_token(associate.user)
    user_for_token(token)  # the first use stamps last_used_at
    with django_assert_num_queries(1):
        user = user_for_token(token)
        actor = Actor(user)
        assert (actor.associate.pk, actor.associate.store.code, actor.role) == (
            associate.pk, associate.store.code, "manager" if associate.is_manager else "associate")
    # Exactly the ORM's values, converters included (times, booleans, JSON).
    assert values(user) == values(User.objects.get(pk=user.pk))
    assert values(user.associate) == values(type(associate).objects.get(pk=associate.pk))
    assert values(user.associate.store) == values(type(associate.store).objects.get(pk=associate.store.pk))
    assert user.associate.user is user


def test_a_user_without_an_associate_is_read_in_one_query_too(world, django_assert_num_queries):
    _, token = create_api_token(world.admin)
    user_for_token(token)
    with django_assert_num_queries(1):
        user = user_for_token(token)
        assert Actor(user).associate is None
        assert Actor(user).is_admin
    assert user == world.admin


def test_refused_tokens(world):
    api_token, token = create_api_token(world.tom.user)
    inactive = make_user("gone@example.com")
    _, inactive_token = create_api_token(inactive)
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    assert user_for_token(token) == world.tom.user
    assert user_for_token("sf_not-a-token") is None
    assert user_for_token(token[3:]) is None  # not one of ours
    assert user_for_token(inactive_token) is None
    ApiToken.objects.filter(pk=api_token.pk).update(revoked_at=timezone.now())
    assert user_for_token(token) is None
    assert not isinstance(user_for_token(token), AnonymousUser)


def test_the_last_use_is_stamped_at_most_once_a_minute(world):
    api_token, token = create_api_token(world.tom.user)
    user_for_token(token)
    first = ApiToken.objects.get(pk=api_token.pk).last_used_at
    assert first is not None
    user_for_token(token)
    assert ApiToken.objects.get(pk=api_token.pk).last_used_at == first
    ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=first - timedelta(minutes=2))
    user_for_token(token)
    assert ApiToken.objects.get(pk=api_token.pk).last_used_at > first - timedelta(minutes=2)
