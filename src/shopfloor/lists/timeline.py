"""The customer timeline's list entries (clienteling.timeline): lists started, sent to the customer,
and the customer's own comments. Lists follow the customer's visibility, which the caller checked."""

from django.urls import reverse

from shopfloor.lists.models import CustomerList, ListComment


def list_entries(customer, *, before=None, limit: int) -> list:
    from shopfloor.clienteling.timeline import TimelineEntry

    lists = CustomerList.objects.filter(customer=customer, deleted_at__isnull=True).select_related("created_by")
    started = lists.filter(created_at__lt=before) if before is not None else lists
    sent = lists.filter(notified_at__isnull=False)
    if before is not None:
        sent = sent.filter(notified_at__lt=before)
    comments = ListComment.objects.filter(
        list__customer=customer, list__deleted_at__isnull=True, author_customer=customer
    ).select_related("list", "item__product")
    if before is not None:
        comments = comments.filter(created_at__lt=before)

    entries = []
    for customer_list in started.order_by("-created_at", "-id")[:limit]:
        author = customer_list.created_by.get_full_name() if customer_list.created_by else ""
        entries.append(TimelineEntry(
            when=customer_list.created_at, kind="list", title=f"List \u201c{customer_list.name}\u201d started",
            url=reverse("lists:detail", args=[customer_list.pk]), detail=f"By {author}." if author else "",
        ))
    for customer_list in sent.order_by("-notified_at", "-id")[:limit]:
        entries.append(TimelineEntry(
            when=customer_list.notified_at, kind="list", title=f"List \u201c{customer_list.name}\u201d sent",
            url=reverse("lists:detail", args=[customer_list.pk]),
            detail="Emailed a link to comment and change quantities.",
        ))
    for comment in comments.order_by("-created_at", "-id")[:limit]:
        about = f" on {comment.item.product.name}" if comment.item_id else ""
        entries.append(TimelineEntry(
            when=comment.created_at, kind="list", title=f"Commented{about} in \u201c{comment.list.name}\u201d",
            url=reverse("lists:detail", args=[comment.list_id]) + f"#comment-{comment.pk}",
            detail=comment.body[:200],
        ))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


def register() -> None:
    try:
        from shopfloor.clienteling import timeline
    except ImportError:  # the timeline is not installed
        return
    timeline.register(list_entries)
