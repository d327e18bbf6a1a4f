from django.urls import path

from shequ.hall import views_figures as views

urlpatterns = [
    path("", views.figures, name="figures"),
    path("export/", views.figures_export, name="figures-export"),
]
