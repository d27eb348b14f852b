"""Demo agent onboarding for Casa Lusa: registration open into Lisbon and an agent group, Ana's recruit link,
a registration through it waiting for an admin.

Called once by demo.seed.seed_demo (inside its transaction, so it is written whole or not at all).
"""

from shopfloor.accounts.models import AgentGroup, AgentRegistration, AgentSignupSettings
from shopfloor.agents.services import recruit_link_for


def seed(stores: dict, associates: dict) -> AgentGroup:
    """Returns the agents' group (comms.demo announces to it)."""
    lisbon = stores["lisbon-chiado"]
    agents = AgentGroup.objects.create(name="Independent agents")
    agents.associates.set([associates["Inês Carvalho"], associates["Rui Teixeira"]])
    AgentSignupSettings.objects.create(enabled=True, store=lisbon, group=agents)
    recruit_link_for(associates["Ana Ribeiro"])
    AgentRegistration.objects.create(
        name="Helena Duarte", email="helena.duarte@example.com", phone="+351913370001", store=lisbon,
        recruiter=associates["Ana Ribeiro"], about="Interior designer in Cascais; hotels and holiday homes.",
    )
    return agents
