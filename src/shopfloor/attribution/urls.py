from django.urls import path

from shopfloor.attribution import views

app_name = "attribution"

urlpatterns = [
    path("r/<str:referral_code>", views.referral, name="referral"),
]
