from django.urls import path

from shopfloor.console import views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("customers/", views.customers, name="customers"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:customer_id>/approve/", views.approve, name="approve"),
    path("approvals/<int:customer_id>/reject/", views.reject, name="reject"),
    path("settings/", views.settings_page, name="settings"),
]
