from django.urls import path

from shopfloor.comms import views

app_name = "comms"

urlpatterns = [
    path("console/announcements/", views.announcements, name="announcements"),
    path("console/announcements/<int:announcement_id>/", views.announcement, name="announcement"),
    path("console/messages/", views.threads, name="threads"),
    path("console/messages/<int:thread_id>/", views.thread, name="thread"),
    path("console/messages/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
