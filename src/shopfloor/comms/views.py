"""Console pages for announcements and messages.

Thin: visibility from shopfloor.access (through the selectors), writes through the services.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from shopfloor.access import NotAllowed, get_announcement_for, get_thread_for
from shopfloor.comms import selectors, services
from shopfloor.comms.api import attachment_response
from shopfloor.comms.forms import AnnouncementForm, ReplyForm, ThreadForm
from shopfloor.consolekit import console_page, render_page
from shopfloor.errors import InvalidInput

PAGE_SIZE = 25


def _add_errors(form, error: InvalidInput, names: dict | None = None) -> None:
    """Service errors onto the form's fields (by the last part of their location)."""
    for loc, message in error.errors:
        name = (names or {}).get(loc[-1], loc[-1]) if loc else None
        form.add_error(name if name in form.fields else None, message)


# Announcements ----------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@console_page
def announcements(request):
    actor = request.actor
    status = 200
    form = None
    if actor.is_admin:
        form = AnnouncementForm(request.POST or None)
        if request.method == "POST":
            if form.is_valid():
                try:
                    announcement = services.save_announcement(actor, form.service_data())
                except InvalidInput as error:
                    _add_errors(form, error, {"store_ids": "stores", "agent_group_ids": "agent_groups"})
                else:
                    messages.success(request, f"“{announcement.title}” is published." if announcement.delivered_at
                                     else f"“{announcement.title}” is scheduled.")
                    return redirect("comms:announcement", announcement.pk)
            status = 422
    elif request.method == "POST":
        raise NotAllowed("Only the retailer's admins publish announcements.")
    page = Paginator(selectors.announcements_for(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, "comms/announcements.html", {"page": page, "form": form, "new_form": form},
                       status=status)


@never_cache
@console_page
def announcement(request, announcement_id: int):
    actor = request.actor
    item = get_announcement_for(actor, announcement_id)
    services.read_announcement(actor, item)
    receipts = selectors.read_receipts(item) if actor.is_admin else None
    return render_page(request, "comms/announcement.html", {
        "announcement": item, "receipts": receipts,
        "read_total": sum(1 for r in receipts if r["read_at"]) if receipts is not None else 0,
    })


# Messages ---------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@console_page
def threads(request):
    actor = request.actor
    partners = selectors.thread_partners(actor)
    # "Message" links elsewhere in the console pick the recipient with ?to=.
    form = ThreadForm(request.POST or None, partners=partners, initial={"to": request.GET.get("to")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            kind, associate_id = form.service_args()
            try:
                thread = services.start_thread(actor, kind, form.cleaned_data["subject"], form.cleaned_data["body"],
                                               associate_id, request.FILES.getlist("files"))
            except InvalidInput as error:
                _add_errors(form, error, {"associate_id": "to", "files": "body", "kind": "to"})
            else:
                return redirect("comms:thread", thread.pk)
        status = 422
    page = Paginator(selectors.threads_for(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    can_start = bool(form.fields["to"].choices)
    return render_page(request, "comms/threads.html", {
        "page": page, "form": form, "can_start": can_start, "new_form": form if can_start else None,
        "accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf",
    }, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@console_page
def thread(request, thread_id: int):
    actor = request.actor
    item = get_thread_for(actor, thread_id)
    form = ReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.post_message(actor, item, form.cleaned_data["body"], request.FILES.getlist("files"))
            except InvalidInput as error:
                _add_errors(form, error, {"files": "body"})
            else:
                return redirect(f"{reverse('comms:thread', args=[item.pk])}#latest")
        status = 422
    services.read_thread(actor, item)
    members = [selectors.author_name(user) for user in selectors.thread_member_list(item)]
    return render_page(request, "comms/thread.html", {
        "thread": item, "thread_messages": selectors.messages_in(item), "form": form, "members": members,
        "accept": "image/png,image/jpeg,image/gif,image/webp,application/pdf",
    }, status=status)


@never_cache
@console_page
def attachment(request, attachment_id: int):
    return attachment_response(selectors.get_attachment_for(request.actor, attachment_id))
