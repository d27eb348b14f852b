"""Text messages: a small provider interface, like Django's email backends.

`SMS_URL` (a Django setting, else the environment variable) picks the backend:

    console://                                  print each message to the log (the default)
    locmem://                                   keep messages in `outbox` (tests)
    twilio://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com?from=%2B351910000000
                                                Twilio's Messages API over HTTPS
    twilio+http://SID:TOKEN@127.0.0.1:8025?from=...
                                                the same over plain HTTP (a local fake provider in tests)

`send_sms(to, body)` returns a `SmsResult`; a provider that refuses the message raises `SmsError`.
"""

import base64
import json
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

# What a provider may take to answer before the message counts as failed.
HTTP_TIMEOUT_SECONDS = 10


class SmsError(Exception):
    """The provider refused the message or could not be reached."""


@dataclass(frozen=True)
class SmsResult:
    provider_id: str
    status: str  # the provider's word for it: "sent", "queued", "accepted"...


class ConsoleSmsBackend:
    """Development: the message goes to the log, nowhere else."""

    def send(self, to: str, body: str) -> SmsResult:
        logger.info("SMS to %s:\n%s", to, body)
        return SmsResult(provider_id="", status="sent")


# Messages the locmem backend "sent", newest last (tests read and clear it).
outbox: list[dict] = []


class LocmemSmsBackend:
    def send(self, to: str, body: str) -> SmsResult:
        outbox.append({"to": to, "body": body})
        return SmsResult(provider_id=f"locmem-{len(outbox)}", status="sent")


class TwilioSmsBackend:
    """Twilio's REST API: POST /2010-04-01/Accounts/{sid}/Messages.json (form fields To, From, Body),
    HTTP basic auth with the account SID and auth token; answers JSON with `sid` and `status`."""

    def __init__(self, base_url: str, account_sid: str, auth_token: str, sender: str):
        if not (account_sid and auth_token and sender):
            raise ImproperlyConfigured("SMS_URL for Twilio needs ACCOUNT_SID:AUTH_TOKEN@host and ?from=")
        self.base_url = base_url.rstrip("/")
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sender = sender

    def send(self, to: str, body: str) -> SmsResult:
        url = f"{self.base_url}/2010-04-01/Accounts/{urllib.parse.quote(self.account_sid)}/Messages.json"
        data = urllib.parse.urlencode({"To": to, "From": self.sender, "Body": body}).encode()
        credentials = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        # The URL is built from settings (https by default; http only for a local fake provider).
        request = urllib.request.Request(url, data=data, method="POST", headers={  # noqa: S310
            "Authorization": f"Basic {credentials}", "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        })
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:  # noqa: S310
                answer = json.loads(response.read().decode() or "{}")
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:300]
            raise SmsError(f"The SMS provider answered {error.code}: {detail}") from error
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            raise SmsError(f"The SMS provider could not be reached: {error}") from error
        return SmsResult(provider_id=str(answer.get("sid", ""))[:100], status=str(answer.get("status", "sent")))


def backend_from_url(url: str | None):
    if not url:
        return ConsoleSmsBackend()
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return ConsoleSmsBackend()
    if scheme == "locmem":
        return LocmemSmsBackend()
    if scheme in {"twilio", "twilio+http"}:
        query = dict(urllib.parse.parse_qsl(parts.query))
        protocol = "http" if scheme == "twilio+http" else "https"
        host = parts.hostname or "api.twilio.com"
        netloc = f"{host}:{parts.port}" if parts.port else host
        return TwilioSmsBackend(
            f"{protocol}://{netloc}", urllib.parse.unquote(parts.username or ""),
            urllib.parse.unquote(parts.password or ""), query.get("from", ""),
        )
    raise ImproperlyConfigured(f"SMS_URL has an unknown scheme {scheme!r}")


def get_backend():
    return backend_from_url(getattr(settings, "SMS_URL", None) or os.environ.get("SMS_URL"))


def send_sms(to: str, body: str) -> SmsResult:
    return get_backend().send(to, body)
