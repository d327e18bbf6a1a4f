"""URLs of the register import, included by shequ/people/urls.py under /people/import/."""

from django.urls import path

from shequ.people import views_import

urlpatterns = [
    path("import/", views_import.import_list, name="import-list"),
    path("import/template/", views_import.import_template, name="import-template"),
    path("import/<int:job_id>/", views_import.import_detail, name="import-detail"),
    path("import/<int:job_id>/report/", views_import.import_report, name="import-report"),
]
