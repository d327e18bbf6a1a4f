from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from shequ.accounts.admin_site import restrict_admin_site
from shequ.api.api import api

restrict_admin_site(admin.site)

urlpatterns: list[URLPattern | URLResolver] = [
    # First: the API answers machines on every request; its prefix overlaps no page's.
    path("api/v1/", api.urls),
    path("", include("shequ.dashboard.urls")),
    path("accounts/", include("shequ.accounts.urls")),
    path("portal/", include("shequ.accounts.portal_urls")),
    path("regions/", include("shequ.regions.urls")),
    path("people/", include("shequ.people.urls")),
    path("audit/", include("shequ.audit.urls")),
    path("cases/", include("shequ.cases.urls")),
    path("hall/", include("shequ.hall.urls")),
    path("incidents/", include("shequ.incidents.urls")),
    path("hotline/", include("shequ.hotline.urls")),
    path("open311/v2/", include("shequ.open311.urls")),
    path("workdays/", include("shequ.workdays.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Uploaded files (attachments, incident photos, import files) are never served from MEDIA_URL,
# not even in development: each is answered by a view of its app that checks the scope.
