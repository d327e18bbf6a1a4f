"""The incident pages, under /incidents/: for now the category table."""

from django.urls import path

from shequ.incidents import views

app_name = "incidents"
urlpatterns = [
    path("categories/", views.category_list, name="category-list"),
    path("categories/new/", views.category_create, name="category-create"),
    path("categories/import/", views.category_import, name="category-import"),
    path("categories/export/", views.category_export, name="category-export"),
    path("categories/<int:category_id>/", views.category_detail, name="category-detail"),
    path("categories/<int:category_id>/edit/", views.category_edit, name="category-edit"),
]
