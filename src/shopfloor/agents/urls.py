from django.urls import path

from shopfloor.agents import views

app_name = "agents"

urlpatterns = [
    path("console/agents/", views.index, name="index"),
    path("console/agents/registrations/<int:registration_id>/approve/", views.decide,
         {"decision": "approve"}, name="approve"),
    path("console/agents/registrations/<int:registration_id>/reject/", views.decide,
         {"decision": "reject"}, name="reject"),
    # Public: people who want to sell as agents.
    path("agents/register/", views.register, name="register"),
    path("join/<str:code>/", views.register, name="join"),
    path("agents/set-password/<uidb64>/<token>/", views.SetPasswordView.as_view(), name="set_password"),
]
