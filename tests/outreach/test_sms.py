"""The SMS provider interface: the console and locmem backends, and the Twilio adapter against a fake
Twilio on the loopback interface (no network)."""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from django.core.exceptions import ImproperlyConfigured

from shopfloor import sms
from shopfloor.outreach.models import OutreachMessage


class FakeTwilio(BaseHTTPRequestHandler):
    requests: list = []
    answer_status = 201

    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        FakeTwilio.requests.append({
            "path": self.path, "auth": self.headers["Authorization"],
            "form": {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()},
        })
        self.send_response(FakeTwilio.answer_status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        if FakeTwilio.answer_status < 300:
            self.wfile.write(json.dumps({"sid": "SM123", "status": "queued"}).encode())
        else:
            self.wfile.write(json.dumps({"code": 21211, "message": "Invalid 'To' Phone Number"}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_twilio():
    FakeTwilio.requests = []
    FakeTwilio.answer_status = 201
    server = HTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"twilio+http://AC42:secret@127.0.0.1:{server.server_port}?from=%2B351910000000"
    server.shutdown()
    server.server_close()


def test_the_twilio_adapter_posts_the_message_with_basic_auth(fake_twilio):
    result = sms.backend_from_url(fake_twilio).send("+351912345678", "Your lookbook is ready")
    assert (result.provider_id, result.status) == ("SM123", "queued")
    [request] = FakeTwilio.requests
    assert request["path"] == "/2010-04-01/Accounts/AC42/Messages.json"
    assert request["auth"] == "Basic " + base64.b64encode(b"AC42:secret").decode()
    assert request["form"] == {"To": "+351912345678", "From": "+351910000000", "Body": "Your lookbook is ready"}


def test_a_provider_refusal_is_an_sms_error(fake_twilio):
    FakeTwilio.answer_status = 400
    with pytest.raises(sms.SmsError, match="answered 400"):
        sms.backend_from_url(fake_twilio).send("+351", "Hi")


def test_an_unreachable_provider_is_an_sms_error():
    with pytest.raises(sms.SmsError, match="could not be reached"):
        sms.backend_from_url("twilio+http://AC1:t@127.0.0.1:9?from=%2B1").send("+351912345678", "Hi")


def test_outreach_records_the_providers_id_and_a_failure(world, api_as, opted_in, settings, fake_twilio, run_tasks):
    settings.SMS_URL = fake_twilio
    api = api_as(world.ana.user)

    def delivered(message_id: int) -> dict:
        """The message as the API shows it once the worker has run its delivery."""
        run_tasks()
        return next(item for item in api.get(f"/api/v1/outreach?customer_id={opted_in.pk}").json()["items"]
                    if item["id"] == message_id)

    response = api.post("/api/v1/outreach", {"customer_id": opted_in.pk, "channel": "sms", "body": "Hi"},
                        content_type="application/json")
    assert response.json()["status"] == "queued"
    assert delivered(response.json()["id"])["status"] == "sent"
    assert OutreachMessage.objects.get().provider_id == "SM123"
    FakeTwilio.answer_status = 400
    response = api.post("/api/v1/outreach", {"customer_id": opted_in.pk, "channel": "sms", "body": "Again"},
                        content_type="application/json")
    assert response.status_code == 201
    assert response.json()["status"] == "queued"
    failed = delivered(response.json()["id"])
    assert failed["status"] == "failed"
    assert "Invalid 'To' Phone Number" in failed["error"]


def test_the_default_backend_is_the_console(settings, caplog):
    settings.SMS_URL = None
    caplog.set_level("INFO", logger="shopfloor.sms")
    assert isinstance(sms.get_backend(), sms.ConsoleSmsBackend)
    sms.send_sms("+351912345678", "Hello")
    assert "SMS to +351912345678" in caplog.text


@pytest.mark.parametrize("url", ["carrier-pigeon://x", "twilio://api.twilio.com"])
def test_a_bad_sms_url_is_a_configuration_error(url):
    with pytest.raises(ImproperlyConfigured):
        sms.backend_from_url(url)
