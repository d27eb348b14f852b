"""In real Chromium with a fake camera: a shopper asks for a video call, the associate answers, both videos
receive frames, the call resumes by itself after Navigate moves the shopper's page, and either side hangs up."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, close_contexts, screenshot
from tests.factories import PASSWORD

MEDIA_ARGS = [
    "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]

VIDEO_PLAYING = """selector => {
  const host = document.querySelector('#shopfloor-widget');
  const root = host ? host.shadowRoot : document;
  const video = (root && root.querySelector(selector)) || document.querySelector(selector);
  return Boolean(video && video.videoWidth > 0 && video.currentTime > 0.2);
}"""


@pytest.fixture
def media_pages(browser, live_server_url, transactional_db, world):
    camera_browser = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + MEDIA_ARGS)
    contexts = []

    def factory():
        context = camera_browser.new_context(base_url=live_server_url, permissions=["camera", "microphone"],
                                             viewport={"width": 1280, "height": 860})
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield factory
    close_contexts(contexts, live_server_url)
    camera_browser.close()


def test_a_video_call_connects_and_resumes_after_navigate(media_pages, live_server_url):
    associate = media_pages()
    associate.goto("/console/login/")
    associate.get_by_label("Email").fill("ana@example.com")
    associate.get_by_label("Password").fill(PASSWORD)
    associate.get_by_role("button", name="Sign in").click()
    associate.wait_for_url("**/console/**")
    associate.goto("/console/live/")
    expect(associate.locator("[data-connection]")).to_have_class(re.compile("is-live"))
    associate.get_by_label("Available", exact=True).check()

    shopper = media_pages()
    shopper.goto("/shop/")
    launcher = shopper.locator("[data-sfl-launcher]")
    expect(launcher).to_contain_text("Talk to us")
    launcher.click()
    shopper.locator("[data-sfl-call]").click()

    row = associate.locator("[data-visitor]").first
    expect(row.locator("[data-wants-call]")).to_be_visible()
    row.get_by_role("button").click()
    associate.locator("[data-take]").click()
    answer = associate.locator("[data-start-call]")
    expect(answer).to_have_text(re.compile("Answer call"))
    answer.click()

    shopper.locator("[data-sfl-join]").click()
    # The shopper sees and hears the associate; the shopper's camera is off until they turn it on.
    shopper.wait_for_function(VIDEO_PLAYING, arg="[data-sfl-remote]", timeout=15_000)
    shopper.locator("[data-sfl-camera]").click()
    associate.wait_for_function(VIDEO_PLAYING, arg="[data-remote-video]", timeout=15_000)
    screenshot(associate, "live-call-associate")

    # Navigate during the call: the shopper's page changes and the call comes back by itself.
    associate.get_by_label("Show the visitor a page").fill(f"{live_server_url}/shop/products/")
    associate.get_by_role("button", name="Navigate").click()
    shopper.wait_for_url(f"{live_server_url}/shop/products/")
    shopper.wait_for_function(VIDEO_PLAYING, arg="[data-sfl-remote]", timeout=5_000)
    screenshot(shopper, "live-call-shopper")

    shopper.locator("[data-sfl-hangup]").click()
    expect(associate.locator("[data-call]")).to_be_hidden()
    expect(shopper.locator("[data-sfl-call-area]")).to_be_hidden()
