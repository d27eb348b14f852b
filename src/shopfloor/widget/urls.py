"""The widget's routes: any storefront embeds /widget.js (README, "Embedding the widget").

No namespace of their own: storefront/urls.py includes them, so their names stay what storefronts and
templates have always reversed (storefront:widget_loader, storefront:widget_session, ...).
"""

from django.urls import path

from shopfloor.widget import views

urlpatterns = [
    path("widget.js", views.loader, name="widget_loader"),
    path("widget/widget.css", views.stylesheet, name="widget_stylesheet"),
    path("widget/session", views.session, name="widget_session"),
    path("widget/customers", views.customers, name="widget_customers"),
    path("widget/customers/<int:customer_id>/lists", views.customer_lists, name="widget_customer_lists"),
    path("widget/save", views.save, name="widget_save"),
    path("widget/<slug:name>.js", views.feature_script, name="widget_feature"),
]
