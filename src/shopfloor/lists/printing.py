"""A list on paper: the printable page's HTML, rendered to PDF by WeasyPrint without any network.

Product pictures are the catalog's own SVG drawings inlined as data URIs, fonts are the system's
(DejaVu), and the URL fetcher refuses everything but data URIs, so printing never reaches out.
"""

import base64
import logging

from django.template.loader import render_to_string

from shopfloor.catalog.images import product_svg
from shopfloor.lists import selectors
from shopfloor.lists.models import CustomerList

# WeasyPrint reports each rendering step at INFO; a server log needs none of that.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def offline_fetcher():
    """WeasyPrint's fetcher, allowed data: URIs only: a stray http(s) or file URL is refused, never fetched."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def product_image_data_uri(product) -> str:
    svg = product_svg(product.sku, product.name).encode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def list_html(customer_list: CustomerList, *, for_pdf: bool) -> str:
    detail = selectors.list_detail(customer_list)
    images = {}
    if for_pdf:
        for item in detail.items:
            if item.product_id not in images:
                images[item.product_id] = product_image_data_uri(item.product)
            item.image_data = images[item.product_id]
    return render_to_string("lists/print.html", {
        "detail": detail, "customer_list": customer_list, "customer": customer_list.customer, "for_pdf": for_pdf,
    })


def list_pdf(customer_list: CustomerList) -> bytes:
    from weasyprint import HTML

    return HTML(string=list_html(customer_list, for_pdf=True), url_fetcher=offline_fetcher()).write_pdf()
