"""The demo storefront: a shop like a retailer's own, embedding Shopfloor the way any storefront would."""

from django.http import Http404, HttpResponse
from django.views.decorators.cache import cache_control

from shopfloor.accounts.models import Associate
from shopfloor.catalog.models import Product
from shopfloor.storefront.images import avatar_svg, product_svg


@cache_control(public=True, max_age=3600)
def avatar(request, associate_id: int):
    # Reps are shown to their customers without a login; the avatar carries only initials.
    associate = Associate.objects.filter(pk=associate_id).only("name").first()
    if associate is None:
        raise Http404
    return HttpResponse(avatar_svg(associate.name), content_type="image/svg+xml")


@cache_control(public=True, max_age=86400)
def product_image(request, sku: str):
    product = Product.objects.filter(sku=sku).only("sku", "name").first()
    if product is None:
        raise Http404
    return HttpResponse(product_svg(product.sku, product.name), content_type="image/svg+xml")
