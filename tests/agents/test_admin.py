"""The Django admin decides agent registrations."""

from django.test import Client

from shopfloor.accounts.models import AgentRegistration, AgentSignupSettings, Associate


def admin_client(world) -> Client:
    client = Client()
    client.force_login(world.admin)
    return client


def test_registrations_are_approved_with_the_admin_action(world):
    AgentSignupSettings.objects.create(enabled=True, store=world.north)
    registration = AgentRegistration.objects.create(name="Rui", email="rui@example.com", store=world.north)
    client = admin_client(world)
    assert client.get("/admin/accounts/agentregistration/").status_code == 200
    response = client.post("/admin/accounts/agentregistration/", {
        "action": "approve", "_selected_action": [registration.pk],
    })
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "approved"
    assert Associate.objects.filter(email="rui@example.com", store=world.north).exists()
