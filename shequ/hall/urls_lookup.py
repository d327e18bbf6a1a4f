"""Status lookup and rating without an account (public: see shequ/core/public.py)."""

from django.urls import URLPattern, path

from shequ.hall import views_lookup

urlpatterns: list[URLPattern] = [
    path("", views_lookup.lookup, name="lookup"),
    path("kiosk/", views_lookup.kiosk_lookup, name="kiosk-lookup"),
    path("rate/", views_lookup.lookup_rate, name="lookup-rate"),
]
