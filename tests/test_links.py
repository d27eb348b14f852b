"""Links that leave Shopfloor are full URLs: on the request's origin, else on PUBLIC_URL."""

from django.core import mail

from shopfloor.comms.services import notify, set_email_preference
from shopfloor.links import absolute_url
from tests.factories import make_user


def test_a_path_goes_on_the_requests_origin_first(settings):
    settings.SHOPFLOOR = {**settings.SHOPFLOOR, "PUBLIC_URL": "https://shopfloor.example.com/"}
    assert absolute_url("/pay/abc/", "http://127.0.0.1:8000") == "http://127.0.0.1:8000/pay/abc/"
    assert absolute_url("/pay/abc/") == "https://shopfloor.example.com/pay/abc/"
    # A full URL (a storefront's own page) is left as it is.
    assert absolute_url("https://shop.example.com/sofa", "http://127.0.0.1:8000") == "https://shop.example.com/sofa"


def test_an_email_sent_outside_a_request_links_to_the_public_url(db, settings, run_tasks):
    settings.SHOPFLOOR = {**settings.SHOPFLOOR, "PUBLIC_URL": "https://shopfloor.example.com"}
    user = make_user("ana@example.com")
    set_email_preference(user, "sale", True)
    notify(user, "sale", "New sale: 84.00 EUR", "Order 1 is credited to you.", "/console/", email=True)
    run_tasks()  # the email leaves through a task, like every other
    [message] = mail.outbox
    assert message.body.endswith("https://shopfloor.example.com/console/")
