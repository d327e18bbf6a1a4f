from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data generator: no models, two management commands."""

    name = "shequ.demo"
