from django.urls import include, path

from shopfloor.storefront import views

app_name = "storefront"

urlpatterns = [
    path("avatars/<int:associate_id>.svg", views.avatar, name="avatar"),
    path("shop/images/<str:sku>.svg", views.product_image, name="product_image"),
    path("shop/", views.home, name="home"),
    path("shop/collections/<slug:slug>/", views.collection, name="collection"),
    path("shop/products/", views.all_products, name="all_products"),
    path("shop/products/<path:sku>/", views.product, name="product"),
    path("shop/search/", views.search, name="search"),
    path("shop/bag/", views.bag, name="bag"),
    path("shop/bag/add/", views.bag_add, name="bag_add"),
    path("shop/bag/update/", views.bag_update, name="bag_update"),
    path("shop/bag/coupon/", views.bag_coupon, name="bag_coupon"),
    path("shop/checkout/", views.checkout, name="checkout"),
    path("shop/account/", views.account, name="account"),
    path("shop/account/login/", views.login_view, name="login"),
    path("shop/account/logout/", views.logout_view, name="logout"),
    path("shop/account/register/", views.register, name="register"),
    # The storefront widget (shopfloor.widget), its route names in this namespace.
    path("", include("shopfloor.widget.urls")),
]
