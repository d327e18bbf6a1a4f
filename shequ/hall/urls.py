"""The hall's URLs: each part of the hall keeps its views in its own module."""

from django.urls import include, path

app_name = "hall"
urlpatterns = [
    path("catalog/", include("shequ.hall.urls_catalog")),
    path("intake/", include("shequ.hall.urls_intake")),
    path("queue/", include("shequ.hall.urls_queue")),
    path("lookup/", include("shequ.hall.urls_lookup")),
    path("figures/", include("shequ.hall.urls_figures")),
]
