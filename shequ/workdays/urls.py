# Replaced by the workdays views; kept minimal so the project loads meanwhile.
from django.urls import path
from django.views.generic import TemplateView

app_name = "workdays"
urlpatterns = [
    path("", TemplateView.as_view(template_name="base.html"), name="calendar"),
    path("public/", TemplateView.as_view(template_name="base.html"), name="public"),
]
