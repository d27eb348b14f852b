"""Agent onboarding: register (when open) → pending → an admin approves → the agent sets a password and signs in;
recruit links make subagents; agents see their subagents and their sales."""

import re

import pytest
from django.core import mail
from django.test import Client

from shopfloor.accounts.models import AgentRegistration, AgentSignupSettings, Associate, RecruitLink, User
from shopfloor.agents.services import recruit_link_for
from shopfloor.comms.models import Notification

FORM = {"name": "Rita Agent", "email": "Rita@Example.com", "phone": "+351912345678", "about": "Furniture, Porto"}


def register(client=None, path="/agents/register/", **fields):
    return (client or Client()).post(path, {**FORM, **fields})


def test_registration_is_closed_until_an_admin_opens_it(world):
    assert Client().get("/agents/register/").status_code == 404
    assert register().status_code == 404
    AgentSignupSettings.objects.create(enabled=False, store=world.north)
    assert register().status_code == 404
    assert not AgentRegistration.objects.exists()


def test_registration_pending_then_approved_then_the_agent_signs_in(world, registration_open, console_as, run_tasks):
    page = Client().get("/agents/register/")
    assert page.status_code == 200
    assert "Sell with us as an agent" in page.content.decode()
    response = register()
    assert response.status_code == 200
    assert "waiting for the retailer's approval" in response.content.decode()
    registration = AgentRegistration.objects.get()
    assert (registration.email, registration.status, registration.store) == ("rita@example.com", "pending", world.north)
    # Admins hear about it; nobody can sign in yet.
    assert Notification.objects.filter(user=world.admin, kind="agent").count() == 1
    assert not User.objects.filter(email="rita@example.com").exists()
    run_tasks()
    assert [(m.to, m.subject) for m in mail.outbox] == [(["admin@example.com"], "Agent registration: Rita Agent")]
    mail.outbox.clear()

    admin = console_as(world.admin)
    approvals = admin.get("/console/approvals/").content.decode()
    assert "Rita Agent" in approvals and "Agent registrations" in approvals
    approved = admin.post(f"/console/agents/registrations/{registration.pk}/approve/")
    assert approved.status_code == 302
    run_tasks()
    agent = Associate.objects.get(email="rita@example.com")
    assert (agent.store, agent.parent, agent.phone) == (world.north, None, "+351912345678")
    assert list(agent.agent_groups.values_list("name", flat=True)) == ["Independent agents"]
    assert not agent.can_login  # until they choose a password

    [welcome] = mail.outbox
    assert welcome.to == ["rita@example.com"]
    link = re.search(r"/agents/set-password/\S+/", welcome.body).group(0)
    browser = Client()
    form = browser.get(link, follow=True)
    assert "Set your password" in form.content.decode()
    password = {"new_password1": "s3cure-Pass-42", "new_password2": "s3cure-Pass-42"}
    done = browser.post(form.redirect_chain[-1][0], password)
    assert done.status_code == 302
    assert browser.post("/console/login/", {"username": "rita@example.com", "password": "s3cure-Pass-42"}).status_code \
        == 302
    assert browser.get("/console/customers/").status_code == 200
    # The link works once.
    assert "no longer works" in Client().get(link, follow=True).content.decode()


def test_a_recruit_link_makes_the_new_agent_that_agents_subagent(
    world, registration_open, console_as, django_capture_on_commit_callbacks
):
    code = recruit_link_for(world.tom).code
    page = Client().get(f"/join/{code}/")
    assert "Join Tom Reis's team" in page.content.decode()
    register(path=f"/join/{code}/")
    registration = AgentRegistration.objects.get()
    assert (registration.recruiter, registration.store) == (world.tom, world.south)
    with django_capture_on_commit_callbacks(execute=True):
        console_as(world.admin).post(f"/console/agents/registrations/{registration.pk}/approve/")
    agent = Associate.objects.get(email="rita@example.com")
    assert (agent.parent, agent.store) == (world.tom, world.south)
    assert Notification.objects.filter(user=world.tom.user, kind="agent", title__contains="Rita Agent").exists()


def test_an_unknown_recruit_code_is_a_404(world, registration_open):
    assert Client().get("/join/not-a-code/").status_code == 404
    assert register(path="/join/not-a-code/").status_code == 404
    assert not AgentRegistration.objects.exists()


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": ""}, "name"),
    ({"email": "not-an-email"}, "email"),
    ({"email": "ana@example.com"}, "email"),  # an existing login
    ({"phone": "12"}, "phone"),
])
def test_bad_registrations_are_refused_and_write_nothing(world, registration_open, fields, field):
    response = register(**fields)
    assert response.status_code == 422
    assert f'id="id_{field}"' in response.content.decode()
    assert "field--invalid" in response.content.decode()
    assert not AgentRegistration.objects.exists()


def test_a_second_registration_for_the_same_address_waits_once(world, registration_open):
    register()
    response = register()
    assert response.status_code == 422
    assert "already waiting" in response.content.decode()
    assert AgentRegistration.objects.count() == 1


@pytest.mark.parametrize("who", ["nora", "ana"])
def test_only_admins_approve_or_reject(world, registration_open, console_as, who):
    register()
    registration = AgentRegistration.objects.get()
    client = console_as(getattr(world, who).user)
    assert client.post(f"/console/agents/registrations/{registration.pk}/approve/").status_code == 404
    assert client.post(f"/console/agents/registrations/{registration.pk}/reject/").status_code == 404
    registration.refresh_from_db()
    assert registration.status == "pending"
    assert not Associate.objects.filter(email="rita@example.com").exists()


def test_a_rejected_registration_gets_no_login_and_cannot_be_approved_later(world, registration_open, console_as):
    register()
    registration = AgentRegistration.objects.get()
    admin = console_as(world.admin)
    admin.post(f"/console/agents/registrations/{registration.pk}/reject/")
    registration.refresh_from_db()
    assert registration.status == "rejected"
    response = admin.post(f"/console/agents/registrations/{registration.pk}/approve/", follow=True)
    assert "already rejected" in response.content.decode()
    assert not User.objects.filter(email="rita@example.com").exists()


def test_agents_see_their_subagents_and_their_sales_and_nobody_elses(
    world, registration_open, console_as, place_order
):
    world.bruno.parent = world.ana
    world.bruno.save()
    place_order(world.brunos_customer, "80.00", external_id="B-1")
    place_order(world.anas_customer, "50.00", external_id="A-1")
    page = console_as(world.ana.user).get("/console/agents/").content.decode()
    assert 'data-subagent="Bruno Dias"' in page
    assert "B-1" in page and "A-1" not in page
    assert "80.00" in page
    # The recruit link is on the page.
    assert f"/join/{RecruitLink.objects.get(associate=world.ana).code}/" in page
    # Bruno has no subagents; he does not see Ana's sales either.
    brunos = console_as(world.bruno.user).get("/console/agents/").content.decode()
    assert "No subagents yet" in brunos and "B-1" not in brunos
    assert "B-1" not in console_as(world.tom.user).get("/console/agents/").content.decode()


def test_an_agent_messages_a_subagent_from_the_agents_page(world, console_as):
    world.bruno.parent = world.ana
    world.bruno.save()
    ana = console_as(world.ana.user)
    page = ana.get("/console/agents/").content.decode()
    assert f'href="/console/messages/?to=subagent:{world.bruno.pk}"' in page
    form = ana.get(f"/console/messages/?to=subagent:{world.bruno.pk}").content.decode()
    assert f'<option value="subagent:{world.bruno.pk}" selected>Bruno Dias (your subagent)</option>' in form
