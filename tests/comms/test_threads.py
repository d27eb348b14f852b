"""Message threads: who reads them (members only, 404 for everyone else), unread counts, attachments."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shopfloor.comms.models import Attachment, Message, MessageReceipt, Thread
from tests.comms.conftest import PDF_BYTES, png_bytes


def start(client, **fields):
    payload = {"kind": "retailer", "subject": "Display for the window", "body": "Can I get the new stand?", **fields}
    return client.post("/api/v1/threads", json.dumps(payload), content_type="application/json")


@pytest.fixture
def retailer_thread(world, api_as):
    response = start(api_as(world.ana.user))
    assert response.status_code == 201
    return Thread.objects.get(pk=response.json()["id"])


@pytest.fixture
def agent_thread(world, api_as):
    world.bruno.parent = world.ana
    world.bruno.save()
    response = start(api_as(world.ana.user), kind="agent", associate_id=world.bruno.pk, subject="Your first month")
    assert response.status_code == 201
    return Thread.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize(("who", "sees"), [
    ("ana", True), ("nora", True), ("admin", True), ("bruno", False), ("tom", False), ("sam", False),
    ("shopper", False),
])
def test_a_thread_with_the_retailer_is_read_by_the_associate_their_managers_and_admins(
    world, api_as, retailer_thread, who, sees
):
    user = world.admin if who == "admin" else world.shopper.user if who == "shopper" else getattr(world, who).user
    client = api_as(user)
    listed = [item["id"] for item in client.get("/api/v1/threads").json().get("items", [])]
    detail = client.get(f"/api/v1/threads/{retailer_thread.pk}")
    messages = client.get(f"/api/v1/threads/{retailer_thread.pk}/messages")
    reply = client.post(f"/api/v1/threads/{retailer_thread.pk}/messages", {"body": "Me too"})
    if sees:
        assert listed == [retailer_thread.pk]
        assert (detail.status_code, messages.status_code, reply.status_code) == (200, 200, 201)
        assert messages.json()["items"][0]["body"] == "Can I get the new stand?"
    else:
        assert retailer_thread.pk not in listed
        expected = 403 if who == "shopper" else 404
        assert (detail.status_code, messages.status_code, reply.status_code) == (expected,) * 3
        assert Message.objects.filter(thread=retailer_thread).count() == 1


@pytest.mark.parametrize(("who", "sees"), [
    ("ana", True), ("bruno", True), ("admin", False), ("nora", False), ("tom", False),
])
def test_an_agent_thread_is_read_by_the_agent_and_the_subagent_only(world, api_as, agent_thread, who, sees):
    user = world.admin if who == "admin" else getattr(world, who).user
    response = api_as(user).get(f"/api/v1/threads/{agent_thread.pk}/messages")
    assert response.status_code == (200 if sees else 404)


def test_the_console_answers_404_to_non_members(world, console_as, retailer_thread):
    assert console_as(world.ana.user).get(f"/console/messages/{retailer_thread.pk}/").status_code == 200
    response = console_as(world.bruno.user).get(f"/console/messages/{retailer_thread.pk}/")
    assert response.status_code == 404
    assert "Display for the window" not in response.content.decode()
    assert console_as(world.bruno.user).post(f"/console/messages/{retailer_thread.pk}/", {"body": "x"}).status_code \
        == 404
    assert Message.objects.count() == 1


def test_only_ones_own_subagents_or_upline_can_be_written_to(world, api_as):
    ana = api_as(world.ana.user)
    refused = start(ana, kind="agent", associate_id=world.bruno.pk)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "associate_id"]
    assert start(ana, kind="agent").status_code == 422  # Ana has no upline
    # A manager writes to associates of their store only; an associate only about themselves.
    assert start(api_as(world.nora.user), associate_id=world.tom.pk).status_code == 422
    assert start(ana, associate_id=world.bruno.pk).status_code == 422
    assert not Thread.objects.exists()
    # The subagent writes to their upline.
    world.bruno.parent = world.ana
    world.bruno.save()
    response = start(api_as(world.bruno.user), kind="agent", subject="Question")
    assert response.status_code == 201
    assert (response.json()["associate_id"], response.json()["agent_id"]) == (world.bruno.pk, world.ana.pk)


def test_unread_counts_follow_reading(world, api_as, console_as, retailer_thread):
    nora = api_as(world.nora.user)
    listing = nora.get("/api/v1/threads").json()
    assert (listing["unread"], listing["items"][0]["unread"]) == (1, 1)
    assert api_as(world.ana.user).get("/api/v1/threads").json()["unread"] == 0  # her own message
    html = console_as(world.nora.user).get("/console/messages/").content.decode()
    assert re.search(r'Messages</span>\s*<span class="nav__badge">1<', html)
    nora.get(f"/api/v1/threads/{retailer_thread.pk}/messages")
    assert nora.get("/api/v1/threads").json()["unread"] == 0
    # The admin has not read it yet.
    assert api_as(world.admin).get("/api/v1/threads").json()["unread"] == 1
    assert MessageReceipt.objects.filter(read_at__isnull=True).count() == 1


# Attachments --------------------------------------------------------------------------------------------


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_images_and_pdfs_are_attached_and_served_to_members_only(world, api_as, console_as, retailer_thread):
    ana = api_as(world.ana.user)
    response = ana.post(f"/api/v1/threads/{retailer_thread.pk}/messages", {
        "body": "Photo and invoice",
        "files": [upload("shelf.png", png_bytes(), "image/png"), upload("invoice.pdf", PDF_BYTES, "application/pdf")],
    })
    assert response.status_code == 201
    files = response.json()["attachments"]
    assert [(f["name"], f["content_type"]) for f in files] == [
        ("shelf.png", "image/png"), ("invoice.pdf", "application/pdf"),
    ]
    image = Attachment.objects.get(name="shelf.png")
    served = console_as(world.nora.user).get(f"/console/messages/attachments/{image.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png_bytes()
    assert api_as(world.admin).get(files[1]["url"]).status_code == 200
    # Not a member: 404, by the console and by the API.
    assert console_as(world.bruno.user).get(f"/console/messages/attachments/{image.pk}/").status_code == 404
    assert api_as(world.tom.user).get(files[0]["url"]).status_code == 404
    # The file is not under /media/ either.
    assert "media" not in image.file.path.split("/private/")[-1]


@pytest.mark.parametrize(("name", "content"), [
    ("photo.png", b"#!/bin/sh\nrm -rf /\n"),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"not really a png"),
    ("page.html", b"<html><script>alert(1)</script></html>"),
    ("invoice.pdf", b"MZ\x90\x00 an executable"),
])
def test_a_file_is_judged_by_its_content_not_its_name(world, api_as, retailer_thread, name, content):
    response = api_as(world.ana.user).post(f"/api/v1/threads/{retailer_thread.pk}/messages", {
        "body": "see attached", "files": [upload(name, content, "image/png")],
    })
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "files"]
    assert Message.objects.count() == 1
    assert not Attachment.objects.exists()


def test_a_file_over_5_mb_is_refused(world, api_as, retailer_thread):
    big = PDF_BYTES + b"0" * (5 * 1024 * 1024)
    response = api_as(world.ana.user).post(f"/api/v1/threads/{retailer_thread.pk}/messages", {
        "files": [upload("big.pdf", big, "application/pdf")],
    })
    assert response.status_code == 422
    assert "5 MB" in response.json()["detail"][0]["msg"]
    assert Message.objects.count() == 1


def test_an_empty_message_is_refused(world, api_as, retailer_thread):
    response = api_as(world.ana.user).post(f"/api/v1/threads/{retailer_thread.pk}/messages", {"body": "  "})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "body"]


def test_the_console_starts_a_thread_and_replies_with_a_photo(world, console_as):
    ana = console_as(world.ana.user)
    response = ana.post("/console/messages/", {"to": "retailer", "subject": "Broken hanger", "body": "See photo",
                                               "files": [upload("hanger.jpg", png_bytes(), "image/jpeg")]})
    assert response.status_code == 302
    thread = Thread.objects.get()
    assert response["Location"] == f"/console/messages/{thread.pk}/"
    assert Attachment.objects.get().content_type == "image/png"  # what it is, not what it was called
    page = console_as(world.nora.user).get(f"/console/messages/{thread.pk}/").content.decode()
    assert "See photo" in page and "hanger.jpg" in page
    refused = ana.post(f"/console/messages/{thread.pk}/", {"body": "", "files": [upload("x.png", b"GIF89a no")]})
    assert refused.status_code == 422
    assert Message.objects.count() == 1
