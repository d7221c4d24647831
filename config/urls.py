from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from govhall.core.views import healthz

from .api import api

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("staff/", include("govhall.dashboards.urls")),
    path("staff/", include("govhall.accounts.urls")),
    path("staff/", include("govhall.centers.urls_staff")),
    path("staff/staffing/", include("govhall.staffing.urls")),
    path("", include("govhall.catalog.urls")),
    path("", include("govhall.queueing.urls")),
    path("", include("govhall.cases.urls")),
    path("", include("govhall.centers.urls_public")),
    path("", include("govhall.feedback.urls")),
    path("", include("govhall.coordination.urls")),
    # ── 大厅实况屏 (lobby screens) ──
    path("", include("govhall.dashboards.urls_lobby")),
]

if settings.DEBUG:  # pragma: no cover
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
