from django.urls import path

from shequ.people import views_figures as views

urlpatterns = [
    path("figures/", views.figures, name="figures"),
    path("figures/export/", views.figures_export, name="figures-export"),
    path("visits-due/", views.visits_due, name="visits-due"),
    path("visit-plans/", views.visit_plans, name="visit-plans"),
]
