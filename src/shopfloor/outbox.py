"""Messages that leave Shopfloor — email and text messages — sent by tasks once the write that asked for
them commits (shopfloor.jobs.defer), never in the request's thread or transaction.

A message is handed to the mail server or the SMS provider by a worker; when that fails (the server is
down, it times out after EMAIL_TIMEOUT) the task is retried later with the same message, so a failure
delays a message instead of losing it, and never turns a recorded sale into an error.
"""

from django.core.mail import EmailMessage

from shopfloor import jobs, sms


def send_email(to: str, subject: str, body: str, *, headers: dict | None = None,
               reply_to: list[str] | None = None) -> None:
    """Email `to` once the current transaction commits (at once outside one)."""
    jobs.defer(send_email_task, [to], subject, body, headers=headers or {}, reply_to=reply_to or [])


def send_text(to: str, body: str) -> None:
    """Text `to` (an E.164 number) once the current transaction commits (at once outside one)."""
    jobs.defer(send_text_task, to, body)


@jobs.retried()
def send_email_task(to: list[str], subject: str, body: str, headers: dict, reply_to: list[str]) -> None:
    EmailMessage(subject, body, None, to, headers=headers, reply_to=reply_to).send()


@jobs.retried()
def send_text_task(to: str, body: str) -> str:
    """Returns the provider's id of the message."""
    return sms.send_sms(to, body).provider_id
