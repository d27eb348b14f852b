"""Starting a thread through the API with files: a multipart form, checked as replies are (by content, 5 MB)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shopfloor.comms.models import Attachment, Message, MessageReceipt, Thread
from tests.comms.conftest import PDF_BYTES, png_bytes


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def start_with_files(client, files, **fields):
    form = {"kind": "retailer", "subject": "Damaged delivery", "body": "Photos attached", **fields, "files": files}
    return client.post("/api/v1/threads", form)  # the test client encodes it as multipart/form-data


def assert_nothing_written():
    assert not Thread.objects.exists()
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()
    assert not MessageReceipt.objects.exists()


def test_a_thread_starts_with_images_and_a_pdf_on_its_first_message(world, api_as):
    ana = api_as(world.ana.user)
    response = start_with_files(
        ana,
        [
            upload("box.png", png_bytes(), "image/png"),
            upload("note.pdf", PDF_BYTES, "application/pdf"),
        ],
    )
    assert response.status_code == 201
    thread = Thread.objects.get(pk=response.json()["id"])
    assert (thread.subject, thread.kind, thread.associate) == ("Damaged delivery", "retailer", world.ana)
    message = Message.objects.get(thread=thread)
    assert message.body == "Photos attached"
    assert sorted(message.attachments.values_list("name", "content_type")) == [
        ("box.png", "image/png"),
        ("note.pdf", "application/pdf"),
    ]
    # The retailer reads it, attachments included, through the same API as replies.
    listing = api_as(world.nora.user).get(f"/api/v1/threads/{thread.pk}/messages").json()
    files = listing["items"][0]["attachments"]
    assert [f["name"] for f in files] == ["box.png", "note.pdf"]
    assert api_as(world.nora.user).get(files[0]["url"]).status_code == 200
    assert api_as(world.tom.user).get(files[0]["url"]).status_code == 404


def test_a_thread_may_start_with_files_and_no_text(world, api_as):
    response = start_with_files(api_as(world.ana.user), [upload("box.png", png_bytes(), "image/png")], body="")
    assert response.status_code == 201
    assert Message.objects.get().body == ""
    assert Attachment.objects.count() == 1


def test_a_manager_starts_a_thread_with_an_associate_by_form(world, api_as):
    response = start_with_files(
        api_as(world.nora.user),
        [upload("plan.pdf", PDF_BYTES, "application/pdf")],
        associate_id=world.ana.pk,
    )
    assert response.status_code == 201
    assert Thread.objects.get().associate == world.ana


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.png", b"#!/bin/sh\nrm -rf /\n"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"not really a png"),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("invoice.pdf", b"MZ\x90\x00 an executable"),
    ],
)
def test_a_file_is_judged_by_its_content_and_nothing_is_written(world, api_as, name, content):
    response = start_with_files(api_as(world.ana.user), [upload(name, content, "image/png")])
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "files"]
    assert_nothing_written()


def test_a_file_over_5_mb_is_refused_and_nothing_is_written(world, api_as):
    big = PDF_BYTES + b"0" * (5 * 1024 * 1024)
    response = start_with_files(api_as(world.ana.user), [upload("big.pdf", big, "application/pdf")])
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "files"]
    assert "5 MB" in response.json()["detail"][0]["msg"]
    assert_nothing_written()


def test_too_many_files_are_refused(world, api_as):
    files = [upload(f"p{n}.png", png_bytes(), "image/png") for n in range(11)]
    response = start_with_files(api_as(world.ana.user), files)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "files"]
    assert_nothing_written()


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"subject": ""}, ["body", "subject"]),
        ({"kind": "gossip"}, ["body", "kind"]),
        ({"associate_id": "abc"}, ["body", "associate_id"]),
        ({"associate_id": "0"}, ["body", "associate_id"]),
        ({"subject": "a\x00b"}, ["body", "subject"]),
    ],
)
def test_bad_form_fields_answer_422_naming_the_field(world, api_as, fields, loc):
    response = start_with_files(api_as(world.nora.user), [upload("box.png", png_bytes(), "image/png")], **fields)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert_nothing_written()


def test_a_missing_subject_in_a_form_is_named(world, api_as):
    response = api_as(world.ana.user).post("/api/v1/threads", {"body": "hi"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "subject"]
    assert_nothing_written()


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"subject": NaN}', ""])
def test_a_json_body_that_is_not_an_object_of_the_fields_answers_422(world, api_as, body):
    response = api_as(world.ana.user).post("/api/v1/threads", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"
    assert_nothing_written()


def test_json_still_starts_a_thread_and_the_schema_documents_both_formats(world, api_as):
    ana = api_as(world.ana.user)
    response = ana.post(
        "/api/v1/threads", json.dumps({"subject": "Hello", "body": "A question"}), content_type="application/json"
    )
    assert response.status_code == 201
    assert Attachment.objects.count() == 0
    schema = ana.get("/api/v1/openapi.json").json()
    body = schema["paths"]["/api/v1/threads"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}
    assert body["multipart/form-data"]["schema"]["properties"]["files"]["items"]["format"] == "binary"


def test_anonymous_callers_cannot_start_a_thread(client, world):
    response = client.post("/api/v1/threads", {"subject": "x", "body": "y"})
    assert response.status_code == 401
    assert_nothing_written()
