from django.urls import path

from shopfloor.live import views

app_name = "live"

urlpatterns = [
    path("console/live/", views.workspace, name="workspace"),
    path("console/live/visitors/<int:visitor_id>/", views.visitor_detail, name="visitor_detail"),
    path("console/live/chats/<int:chat_id>/transcript/", views.transcript, name="transcript"),
    path("live/beacon", views.beacon, name="beacon"),
]
