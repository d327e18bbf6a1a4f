from django.urls import path

from shequ.regions import views, views_io

app_name = "regions"
urlpatterns = [
    path("", views.region_list, name="region-list"),
    path("import/", views_io.region_import_view, name="region-import"),
    path("import/template/", views_io.region_template_view, name="region-template"),
    path("<int:region_id>/", views.region_detail, name="region-detail"),
    path("<int:region_id>/children/", views.region_children, name="region-children"),
    path("<int:region_id>/geojson/", views.region_geojson, name="region-geojson"),
    path("<int:region_id>/edit/", views.region_edit, name="region-edit"),
    path("<int:region_id>/add/", views.region_create, name="region-create"),
    path("<int:region_id>/move/", views.region_move, name="region-move"),
    path("<int:region_id>/export/", views_io.region_export_view, name="region-export"),
]
