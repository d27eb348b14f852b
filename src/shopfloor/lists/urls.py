from django.urls import path

from shopfloor.lists import views

app_name = "lists"

urlpatterns = [
    # The console (associates, managers, admins).
    path("console/lists/", views.index, name="index"),
    path("console/lists/<int:list_id>/", views.detail, name="detail"),
    path("console/lists/<int:list_id>/print/", views.print_page, name="print"),
    path("console/lists/<int:list_id>.pdf", views.pdf, name="pdf"),
    path("console/lists/<int:list_id>/rename/", views.rename, name="rename"),
    path("console/lists/<int:list_id>/items/<int:item_id>/", views.item_update, name="item_update"),
    path("console/lists/<int:list_id>/items/<int:item_id>/remove/", views.item_remove, name="item_remove"),
    path("console/lists/<int:list_id>/items/<int:item_id>/edit/", views.item_edit_fragment, name="item_edit"),
    path("console/lists/<int:list_id>/items/<int:item_id>/thread/", views.item_thread_fragment, name="item_thread"),
    path("console/lists/<int:list_id>/comments/", views.comment, name="comment"),
    path("console/lists/<int:list_id>/notify/", views.notify, name="notify"),
    path("console/lists/<int:list_id>/revoke-link/", views.revoke_link, name="revoke_link"),
    path("console/lists/<int:list_id>/duplicate/", views.duplicate, name="duplicate"),
    path("console/lists/<int:list_id>/delete/", views.delete, name="delete"),
    path("console/lists/<int:list_id>/restore/", views.restore, name="restore"),
    path("console/customers/<int:customer_id>/lists/new/", views.create, name="create"),
    # The customer: through the emailed link, or signed in on the shop.
    path("c/list/<str:token>/", views.collaborate, name="collaborate"),
    path("c/list/<str:token>/comment/", views.collaborate_comment, name="collaborate_comment"),
    path("c/list/<str:token>/items/<int:item_id>/quantity/", views.collaborate_quantity,
         name="collaborate_quantity"),
    path("c/list/<str:token>/items/<int:item_id>/bag/", views.collaborate_bag, name="collaborate_bag"),
    path("c/lists/", views.my_lists, name="mine"),
    path("c/lists/<int:list_id>/", views.my_list, name="my_list"),
]
