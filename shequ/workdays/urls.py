from django.urls import path

from shequ.workdays import views

app_name = "workdays"
urlpatterns = [
    path("", views.calendar_view, name="calendar"),
    path("public/", views.public_view, name="public"),
    path("days/", views.day_create, name="day-create"),
    path("days/<int:day_id>/delete/", views.day_delete, name="day-delete"),
    path("years/", views.year_set, name="year-set"),
    path("years/<int:year>/delete/", views.year_delete, name="year-delete"),
    path("import/", views.day_import, name="day-import"),
    path("import/template.xlsx", views.import_template, name="import-template"),
]
