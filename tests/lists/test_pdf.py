"""The printed list: a PDF (WeasyPrint, offline) with every product name and room, and a printable page."""

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from shopfloor.lists import printing, services


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_holds_every_product_name_and_room(world, api_as, anas_list, as_actor):
    services.save_product(as_actor(world.ana), [anas_list], "RUG-4", "Hall & stairs", 1, "2.5 m runner")
    response = api_as(world.ana.user).get(f"/api/v1/lists/{anas_list.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for name in ("Cork Table Lamp", "Linen Sofa Throw", "Stoneware Serving Bowl", "Wool Runner Rug",
                 "Living room", "Kitchen", "Hall & stairs", "Living room refresh", "Alice Almeida"):
        assert name in text


def test_the_console_pdf_and_print_page_follow_visibility(world, anas_list):
    client = Client()
    client.force_login(world.ana.user)
    response = client.get(f"/console/lists/{anas_list.pk}.pdf")
    assert response.status_code == 200
    assert "Cork Table Lamp" in pdf_text(response.content)
    page = client.get(f"/console/lists/{anas_list.pk}/print/")
    assert page.status_code == 200
    assert b"Stoneware Serving Bowl" in page.content
    bruno = Client()
    bruno.force_login(world.bruno.user)
    assert bruno.get(f"/console/lists/{anas_list.pk}.pdf").status_code == 404
    assert bruno.get(f"/console/lists/{anas_list.pk}/print/").status_code == 404


def test_printing_fetches_nothing_from_outside(anas_list):
    html = printing.list_html(anas_list, for_pdf=True)
    assert "http://" not in html and "https://" not in html and "src=\"/" not in html
    assert html.count('src="data:image/svg+xml;base64,') == 3
    fetcher = printing.offline_fetcher()
    for url in ("http://127.0.0.1:9/x.png", "https://example.com/font.woff", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
