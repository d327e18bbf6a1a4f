from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shequ.api"
    verbose_name = "API"
