"""The incident pages, under /incidents/ (an incident's own page is the engine's case page)."""

from django.urls import path

from shequ.incidents import (
    views,
    views_indicators,
    views_loop,
    views_map,
    views_portal,
    views_queue,
    views_report,
)

app_name = "incidents"
urlpatterns = [
    path("categories/", views.category_list, name="category-list"),
    path("categories/new/", views.category_create, name="category-create"),
    path("categories/import/", views.category_import, name="category-import"),
    path("categories/export/", views.category_export, name="category-export"),
    path("categories/<int:category_id>/", views.category_detail, name="category-detail"),
    path("categories/<int:category_id>/edit/", views.category_edit, name="category-edit"),
    path("queue/", views_queue.incident_queue, name="queue"),
    path("report/", views_report.report_page, name="report"),
    path("report/sw.js", views_report.report_worker, name="report-sw"),
    path("report/manifest.webmanifest", views_report.report_manifest, name="report-manifest"),
    path("portal/report/", views_portal.portal_report, name="portal-report"),
    path("portal/reports/", views_portal.portal_reports, name="portal-reports"),
    path("map/", views_map.incident_map, name="map"),
    path("map/points/", views_map.incident_map_points, name="map-points"),
    path("indicators/", views_indicators.indicators, name="indicators"),
    path("indicators/export/", views_indicators.indicators_export, name="indicators-export"),
    path("photos/<int:photo_id>/", views_loop.photo, name="photo"),
    path("<int:case_id>/supervise/", views_loop.supervise, name="supervise"),
]
