from django.urls import path

from shopfloor.outreach import views

app_name = "outreach"

urlpatterns = [
    # Public (no sign-in): a tracked link and the one-click unsubscribe of a marketing email.
    path("o/l/<str:token>", views.link, name="link"),
    path("o/unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    # The console.
    path("console/customers/<int:customer_id>/message/", views.compose, name="compose"),
    path("console/social/", views.social, name="social"),
]
