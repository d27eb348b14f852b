"""The demo has comms to show: open agent registration, announcements (one scheduled), threads."""

from shopfloor.access import Actor
from shopfloor.accounts.models import AgentRegistration, AgentSignupSettings, Associate
from shopfloor.comms.models import Announcement, Thread
from shopfloor.comms.selectors import announcements_for, threads_for, unread_announcements
from shopfloor.demo.seed import seed_demo


def test_the_demo_seeds_announcements_threads_and_a_waiting_agent(db):
    seed_demo()
    assert AgentSignupSettings.current().enabled
    assert AgentRegistration.objects.get().recruiter.name == "Ana Ribeiro"
    assert Announcement.objects.count() == 2
    ines = Actor(Associate.objects.get(name="Inês Carvalho").user)
    # The agents' bonus is scheduled: not visible yet, even to the agents it is for.
    assert [a.title for a in announcements_for(ines)] == ["Spring collection in store on Monday"]
    assert unread_announcements(Actor(Associate.objects.get(name="Ana Ribeiro").user)) == 0
    assert Thread.objects.count() == 2
    assert [t.subject for t in threads_for(ines)] == ["Your first month"]
    # Seeding again writes nothing.
    seed_demo()
    assert Announcement.objects.count() == 2
