from django.urls import path

from shopfloor.console import money_views, views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("customers/", views.customers, name="customers"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:customer_id>/approve/", views.approve, name="approve"),
    path("approvals/<int:customer_id>/reject/", views.reject, name="reject"),
    path("reports/", views.reports, name="reports"),
    path("reports.csv", views.reports_csv, name="reports_csv"),
    path("payouts/", views.payouts, name="payouts"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/email/", views.notification_preferences, name="notification_preferences"),
    path("notifications/<int:notification_id>/read/", views.notification_read, name="notification_read"),
    path("settings/", views.settings_page, name="settings"),
    path("simulate/", money_views.simulate, name="simulate"),
    path("coupons/", money_views.coupons, name="coupons"),
    path("coupons/<int:coupon_id>/deactivate/", money_views.coupon_deactivate, name="coupon_deactivate"),
    path("payout-profile/", money_views.payout_profile, name="payout_profile"),
    path("payout-profile/statement.csv", money_views.payout_statement, name="payout_statement"),
]
