"""The service catalog, under /hall/catalog/: staff pages, and public pages under public/."""

from django.urls import path

from shequ.hall import views_catalog as views

urlpatterns = [
    path("", views.catalog_list, name="catalog"),
    path("new/", views.item_create, name="item-create"),
    path("import/", views.catalog_import, name="catalog-import"),
    path("export/", views.catalog_export, name="catalog-export"),
    path("template/", views.catalog_template, name="catalog-template"),
    path("<int:item_id>/", views.item_detail, name="item-detail"),
    path("<int:item_id>/edit/", views.item_edit, name="item-edit"),
    path("public/", views.catalog_public, name="catalog-public"),
    path("public/<int:item_id>/", views.item_public, name="item-public"),
    path("public/<int:item_id>/notice/", views.item_notice, name="item-notice"),
]
