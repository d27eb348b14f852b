"""Delivering an outreach message: a task run once the message's transaction commits, which hands it to
the email server or the SMS provider and records what happened on the message (shown to the associate).

A refused or failed delivery is recorded as failed with its reason, and retried later (shopfloor.jobs);
a later success records it as sent. A message already sent is never sent again, and a marketing message
whose customer withdrew consent before an attempt is not sent at all.
"""

from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from shopfloor import jobs, sms
from shopfloor.customers.models import Customer
from shopfloor.links import absolute_url
from shopfloor.outreach.models import Channel, DeliveryStatus, OutreachMessage, Purpose


def consent_problem(customer: Customer, channel: str) -> str:
    """Why a marketing message may not go to this customer on this channel ("" when it may)."""
    if channel == Channel.EMAIL:
        if not customer.email:
            return "no email address"
        if not customer.email_opt_in:
            return "no consent to marketing emails"
    else:
        if not customer.phone:
            return "no mobile number"
        if not customer.sms_opt_in:
            return "no consent to marketing text messages"
    return ""


def unsubscribe_url(message: OutreachMessage, base_url: str = "") -> str:
    return absolute_url(reverse("outreach:unsubscribe", args=[message.unsubscribe_token]), base_url)


def _email(message: OutreachMessage, base_url: str) -> EmailMessage:
    text = message.body
    headers = {}
    reply_to = []
    if message.associate and message.associate.email:
        reply_to = [message.associate.email]
    if message.unsubscribe_token:
        url = unsubscribe_url(message, base_url)
        text += (f"\n\n--\nYou receive this because you agreed to hear from {message.store.name}.\n"
                 f"Unsubscribe: {url}\n")
        # RFC 8058 one-click unsubscribe: mail clients POST to the URL, no page to visit.
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return EmailMessage(message.subject, text, None, [message.to_address], headers=headers, reply_to=reply_to)


@jobs.retried()
def deliver_message_task(message_id: int, base_url: str = "") -> str:
    """Send the message and record the outcome; returns its delivery status."""
    message = OutreachMessage.objects.select_related("associate", "store", "customer").get(pk=message_id)
    if message.status == DeliveryStatus.SENT:
        return message.status
    if message.purpose == Purpose.MARKETING:
        # Asked again at every attempt: a customer who unsubscribed before a retry must not get it.
        problem = consent_problem(message.customer, message.channel)
        if problem:
            OutreachMessage.objects.filter(pk=message.pk).update(
                status=DeliveryStatus.FAILED, error=f"Not sent: {problem}.")
            return DeliveryStatus.FAILED
    try:
        provider_id = ""
        if message.channel == Channel.EMAIL:
            _email(message, base_url).send()
        else:
            provider_id = sms.send_sms(message.to_address, message.body).provider_id
    except Exception as exc:
        # Shown to the associate until a retry succeeds; the task system retries.
        OutreachMessage.objects.filter(pk=message.pk).update(
            status=DeliveryStatus.FAILED, error=str(exc)[:500] or exc.__class__.__name__)
        raise
    OutreachMessage.objects.filter(pk=message.pk).update(
        status=DeliveryStatus.SENT, error="", provider_id=provider_id, sent_at=timezone.now())
    return DeliveryStatus.SENT
