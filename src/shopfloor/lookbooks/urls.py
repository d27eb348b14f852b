from django.urls import path

from shopfloor.lookbooks import views

app_name = "lookbooks"

urlpatterns = [
    # The customer's page (no sign-in: the unguessable token is the key).
    path("c/lookbook/<str:token>", views.public, name="public"),
    path("c/lookbook/<str:token>/p/<int:item_id>", views.product_click, name="product_click"),
    # The console.
    path("console/looks/", views.looks, name="looks"),
    path("console/looks/new/", views.look_new, name="look_new"),
    path("console/looks/<int:look_id>/", views.look_edit, name="look"),
    path("console/looks/<int:look_id>/share/", views.look_share, name="look_share"),
    path("console/looks/<int:look_id>/delete/", views.look_delete, name="look_delete"),
    path("console/lookbooks/", views.lookbooks, name="list"),
    path("console/lookbooks/new/", views.lookbook_new, name="new"),
    path("console/lookbooks/<int:lookbook_id>/", views.lookbook_edit, name="edit"),
    path("console/lookbooks/<int:lookbook_id>/publish/", views.lookbook_publish, name="publish"),
    path("console/lookbooks/<int:lookbook_id>/revoke/", views.lookbook_revoke, name="revoke"),
    path("console/lookbooks/<int:lookbook_id>/send/", views.lookbook_send, name="send"),
]
