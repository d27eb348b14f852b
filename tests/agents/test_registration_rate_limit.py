"""The public agent registration pages (/agents/register/, /join/<code>/) limit requests per client address."""

import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from shopfloor.accounts.models import AgentRegistration
from shopfloor.agents.apps import check_registration_rate_limit
from shopfloor.agents.services import recruit_link_for, registration_rate_limit
from tests.agents.test_onboarding import FORM


def client_from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def test_an_address_over_the_limit_gets_a_429_with_a_clear_message_and_nothing_is_written(
    world, registration_open, settings
):
    settings.AGENT_REGISTRATION_RATE_LIMIT = "3/hour"
    visitor = client_from("203.0.113.7")
    assert visitor.get("/agents/register/").status_code == 200
    assert visitor.post("/agents/register/", {**FORM, "email": "not an email"}).status_code == 422
    assert visitor.get("/agents/register/").status_code == 200
    refused = visitor.post("/agents/register/", FORM)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 3600
    page = refused.content.decode()
    assert "Too many registration requests came from your network. Please try again in 60 minutes." in page
    assert not AgentRegistration.objects.exists()
    # Another address still registers.
    assert client_from("198.51.100.20").post("/agents/register/", FORM).status_code == 200
    assert AgentRegistration.objects.count() == 1


def test_recruit_links_share_the_budget_so_codes_cannot_be_guessed(world, registration_open, settings):
    settings.AGENT_REGISTRATION_RATE_LIMIT = "5/minute"
    guesser = client_from("203.0.113.9")
    for attempt in range(5):
        assert guesser.get(f"/join/guess-{attempt}/").status_code == 404
    code = recruit_link_for(world.ana).code
    # Even the right code is refused now: a guesser learns nothing more.
    limited = guesser.get(f"/join/{code}/")
    assert limited.status_code == 429
    assert "try again in 1 minute." in limited.content.decode()
    assert client_from("203.0.113.10").get(f"/join/{code}/").status_code == 200


def test_the_window_ends_and_the_address_may_come_back(world, registration_open, settings, monkeypatch):
    settings.AGENT_REGISTRATION_RATE_LIMIT = "1/minute"
    visitor = client_from("203.0.113.11")
    assert visitor.get("/agents/register/").status_code == 200
    assert visitor.get("/agents/register/").status_code == 429
    started = time.time()
    monkeypatch.setattr(time, "time", lambda: started + 61)  # the cache's clock: the count expires
    assert visitor.get("/agents/register/").status_code == 200


def test_a_forwarded_address_counts_only_behind_a_trusted_proxy(world, registration_open, settings):
    settings.AGENT_REGISTRATION_RATE_LIMIT = "1/hour"
    settings.LIVE_TRUSTED_PROXIES = "10.0.0.1"
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    assert proxy.get("/agents/register/", HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 200
    assert proxy.get("/agents/register/", HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 200
    assert proxy.get("/agents/register/", HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 429
    # From an untrusted peer the header is ignored: rotating it does not reset the count.
    direct = Client(REMOTE_ADDR="198.51.100.5")
    assert direct.get("/agents/register/", HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert direct.get("/agents/register/", HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429


def test_the_limit_can_be_turned_off(world, registration_open, settings):
    settings.AGENT_REGISTRATION_RATE_LIMIT = "off"
    visitor = client_from("203.0.113.12")
    assert all(visitor.get("/agents/register/").status_code == 200 for _ in range(25))


def test_the_default_is_20_an_hour(world, registration_open, settings, monkeypatch):
    monkeypatch.delenv("AGENT_REGISTRATION_RATE_LIMIT", raising=False)
    assert registration_rate_limit() == (20, 3600)
    visitor = client_from("203.0.113.13")
    assert [visitor.get("/agents/register/").status_code for _ in range(21)] == [200] * 20 + [429]


@pytest.mark.parametrize("value", ["20", "20/week", "0/hour", "-1/hour", "ten/hour", "20/hour/x"])
def test_a_malformed_setting_is_refused_at_use(settings, value):
    settings.AGENT_REGISTRATION_RATE_LIMIT = value
    with pytest.raises(ImproperlyConfigured, match="AGENT_REGISTRATION_RATE_LIMIT"):
        registration_rate_limit()


def test_the_setting_may_come_from_the_environment(settings, monkeypatch):
    monkeypatch.setenv("AGENT_REGISTRATION_RATE_LIMIT", "7/minute")
    assert registration_rate_limit() == (7, 60)


def test_a_malformed_setting_fails_the_start_up_checks(settings):
    settings.AGENT_REGISTRATION_RATE_LIMIT = "lots"
    errors = check_registration_rate_limit()
    assert [error.id for error in errors] == ["shopfloor.E101"]
    assert "write it as 20/hour" in errors[0].msg
    settings.AGENT_REGISTRATION_RATE_LIMIT = "5/minute"
    assert check_registration_rate_limit() == []
