"""A browser test's teardown waits until the server has finished with the closed pages, so the database is
never flushed while their sockets' disconnect handlers still write (conftest.close_contexts, server.py)."""

from playwright.sync_api import expect

from shopfloor.live.models import AssociateLive, Visitor, VisitorState
from tests.browser.conftest import close_contexts
from tests.browser.test_live_workspace import sign_in


def test_closing_the_pages_returns_after_the_servers_disconnect_handlers_wrote(new_page, live_server_url, world):
    associate = new_page()
    sign_in(associate, "ana@example.com")
    shopper = new_page()
    shopper.goto("/shop/")
    expect(shopper.locator("[data-sfl-launcher]")).to_be_visible()  # the widget's socket said hello
    assert Visitor.objects.get().connections == 1

    close_contexts([associate.context, shopper.context], live_server_url)

    # Written by the disconnect handlers, which run after the pages are gone: already there, not on their way.
    visitor = Visitor.objects.get()
    assert (visitor.connections, visitor.state) == (0, VisitorState.OFFLINE)
    assert AssociateLive.objects.get(associate=world.ana).heartbeat_at is None
