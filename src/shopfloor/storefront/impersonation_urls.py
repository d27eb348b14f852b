from django.urls import path

from shopfloor.storefront import impersonation

app_name = "shop_as"

urlpatterns = [
    path("console/customers/<int:customer_id>/shop-as/", impersonation.start, name="start"),
    path("shop/shop-as/exit/", impersonation.exit_view, name="exit"),
    path("shop/shop-as/orders/<int:order_id>/", impersonation.placed, name="placed"),
]
