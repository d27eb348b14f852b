from django.urls import path

from shopfloor.clienteling import views

app_name = "clienteling"

urlpatterns = [
    path("console/customers/<int:customer_id>/notes/", views.note_add, name="note_add"),
    path("console/customers/<int:customer_id>/notes/<int:note_id>/pin/", views.note_pin, name="note_pin"),
    path("console/customers/<int:customer_id>/notes/<int:note_id>/delete/", views.note_delete, name="note_delete"),
    path("console/customers/<int:customer_id>/preferences/", views.preferences_update, name="preferences"),
    path("console/customers/<int:customer_id>/tags/", views.tags_update, name="tags"),
    path("console/tasks/", views.tasks, name="tasks"),
    path("console/tasks/new/", views.task_new, name="task_new"),
    path("console/tasks/<int:task_id>/", views.task_detail, name="task"),
    path("console/tasks/<int:task_id>/edit/", views.task_edit, name="task_edit"),
    path("console/tasks/<int:task_id>/complete/", views.task_complete, name="task_complete"),
    path("console/tasks/<int:task_id>/snooze/", views.task_snooze, name="task_snooze"),
    path("console/tasks/<int:task_id>/reopen/", views.task_reopen, name="task_reopen"),
    path("console/tasks/<int:task_id>/delete/", views.task_delete, name="task_delete"),
    path("console/task-rules/", views.task_rules, name="task_rules"),
    path("console/kpis/", views.kpi_page, name="kpis"),
    path("console/kpis.csv", views.kpi_csv, name="kpis_csv"),
]
