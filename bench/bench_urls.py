"""The project's URLs and, under /bench/, the bare views the API is compared with."""

from django.urls import URLPattern, URLResolver, include, path

from bench import bare_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/ping", bare_views.ping),
    path("bench/insert", bare_views.insert),
    path("bench/read", bare_views.read),
    path("bench/api/", bare_views.floor_api.urls),
    path("", include("config.urls")),
]
