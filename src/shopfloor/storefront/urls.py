from django.urls import path

from shopfloor.storefront import views

app_name = "storefront"

urlpatterns = [
    path("avatars/<int:associate_id>.svg", views.avatar, name="avatar"),
    path("shop/images/<str:sku>.svg", views.product_image, name="product_image"),
]
