from ninja import Router, Schema

from shopfloor.apikit import staff_actor
from shopfloor.live import selectors

router = Router(tags=["Live"])


class ChatSummaryOut(Schema):
    id: int
    status: str
    associate_id: int | None
    associate_name: str
    routed_to_id: int | None
    wants_call: bool
    in_call: bool
    unread: bool
    seq: int


class LiveVisitorOut(Schema):
    id: int
    store_id: int
    returning_id: str
    visit_count: int
    page_view_count: int
    customer_id: int | None
    customer_name: str
    country: str
    country_name: str
    city: str
    current_url: str
    current_title: str
    page_started_at: str | None
    online_since: str | None
    status: str
    offline_since: str | None
    wants_call: bool
    chat: ChatSummaryOut | None


class LiveVisitorsOut(Schema):
    items: list[LiveVisitorOut]
    count: int


@router.get("/live/visitors", response=LiveVisitorsOut,
            summary="The store's visitors on site now, longest on site first (the live workspace's list)",
            description="Visitors online or offline for under 5 minutes that you may see; `status` is active, "
                        "idle (no activity for 60 s or the tab hidden) or offline. A visitor in a call with "
                        "another associate is left out.")
def live_visitors(request):
    who = staff_actor(request)
    items = [selectors.visitor_row(visitor) for visitor in selectors.live_visitors(who)]
    return {"items": items, "count": len(items)}
