"""The customer timeline's outreach entries (clienteling.timeline): each message with its delivery status."""

from shopfloor.outreach.models import Channel, DeliveryStatus, OutreachMessage


def outreach_entries(customer, *, before=None, limit: int) -> list:
    from shopfloor.clienteling.timeline import TimelineEntry

    sent = OutreachMessage.objects.filter(customer=customer).select_related("associate").prefetch_related("links")
    if before is not None:
        sent = sent.filter(created_at__lt=before)
    entries = []
    for message in sent.order_by("-created_at", "-id")[:limit]:
        what = f"Email \u201c{message.subject}\u201d" if message.channel == Channel.EMAIL else "Text message"
        clicks = sum(link.click_count for link in message.links.all())
        status = message.get_status_display()
        if message.status == DeliveryStatus.FAILED:
            status = f"Failed: {message.error}"
        detail = f"{status}{' by ' + message.associate.name if message.associate else ''}"
        if clicks:
            detail += f"; {clicks} click{'s' if clicks != 1 else ''}"
        if message.unsubscribed_at:
            detail += "; unsubscribed from it"
        entries.append(TimelineEntry(when=message.created_at, kind="outreach", title=what,
                                     detail=f"{detail}.", url=""))
    return entries


def register() -> None:
    try:
        from shopfloor.clienteling import timeline
    except ImportError:  # the timeline is not installed
        return
    timeline.register(outreach_entries)
