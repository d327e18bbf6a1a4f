"""GeoReport v2 under /open311/v2/: every resource with its format suffix (.xml or .json)."""

from django.urls import path, re_path, register_converter

from shequ.open311 import views


class FormatConverter:
    regex = "xml|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "fmt")

app_name = "open311"
urlpatterns = [
    path("discovery.<fmt:fmt>", views.discovery, name="discovery"),
    path("services.<fmt:fmt>", views.service_list, name="service-list"),
    path("services/<str:service_code>.<fmt:fmt>", views.service_detail, name="service-detail"),
    path("requests.<fmt:fmt>", views.request_list, name="request-list"),
    path(
        "requests/<str:service_request_id>.<fmt:fmt>",
        views.request_detail,
        name="request-detail",
    ),
    path("tokens/<str:token>.<fmt:fmt>", views.token_detail, name="token-detail"),
    # Anything else under the endpoint answers the specification's error document.
    re_path(r"^(?P<rest>.*)$", views.unknown, name="unknown"),
]
