from django.urls import path

from shopfloor.orders import views

app_name = "orders"

urlpatterns = [
    # Payment links (orders placed on the customer's behalf): the token is signed (payment_links).
    path("pay/callbacks/<str:provider>/", views.provider_callback, name="provider_callback"),
    path("pay/<str:token>/", views.pay, name="pay"),
    path("console/orders/<int:order_id>/payment-link/", views.resend_link, name="resend_link"),
]
