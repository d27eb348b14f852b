"""The associate console (placeholder pages; filled by the console work)."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def home(request):
    return HttpResponse("Shopfloor console")


login_view = auth_views.LoginView.as_view(template_name="admin/login.html")
logout_view = auth_views.LogoutView.as_view(next_page="console:login")
