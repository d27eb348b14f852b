from django.urls import path

from shopfloor.commissions import views

app_name = "commissions"

urlpatterns = [
    path("r/<str:referral_code>", views.referral, name="referral"),
]
