from django.urls import path

from shopfloor.comms import views

app_name = "comms"

urlpatterns = [
    path("console/announcements/", views.announcements, name="announcements"),
    path("console/announcements/<int:announcement_id>/", views.announcement, name="announcement"),
    path("console/messages/", views.threads, name="threads"),
    path("console/messages/<int:thread_id>/", views.thread, name="thread"),
    path("console/messages/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("console/agents/", views.agents, name="agents"),
    path("console/agents/registrations/<int:registration_id>/approve/", views.agent_decide,
         {"decision": "approve"}, name="agent_approve"),
    path("console/agents/registrations/<int:registration_id>/reject/", views.agent_decide,
         {"decision": "reject"}, name="agent_reject"),
    # Public: people who want to sell as agents.
    path("agents/register/", views.register, name="register"),
    path("join/<str:code>/", views.register, name="join"),
    path("agents/set-password/<uidb64>/<token>/", views.SetPasswordView.as_view(), name="set_password"),
]
