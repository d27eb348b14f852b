from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.static import serve as serve_media

from shopfloor.api import api
from shopfloor.health import healthz

admin.site.site_header = "Shopfloor administration"
admin.site.site_title = "Shopfloor admin"
admin.site.index_title = "Retailer settings"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="console:home", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("console/", include("shopfloor.console.urls")),
    # Referral links (/r/<referral_code>) live outside the API: shoppers follow them.
    path("", include("shopfloor.attribution.urls")),
    path("", include("shopfloor.lists.urls")),
    path("", include("shopfloor.clienteling.urls")),
    path("", include("shopfloor.lookbooks.urls")),
    path("", include("shopfloor.outreach.urls")),
    path("", include("shopfloor.live.urls")),
    path("", include("shopfloor.comms.urls")),
    path("", include("shopfloor.agents.urls")),
    path("", include("shopfloor.storefront.urls")),
    # Shop as customer (start, exit) and payment links (/pay/<token>/).
    path("", include("shopfloor.storefront.impersonation_urls")),
    path("", include("shopfloor.orders.urls")),
    # Uploaded photos; a production deployment may serve MEDIA_ROOT from its proxy instead.
    path("media/<path:path>", serve_media, {"document_root": settings.MEDIA_ROOT}),
]
