from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo district (合川区) with people and a history: the top layer, so it may
    call every app's demo loader and services. No models of its own."""

    name = "govhall.demo"
    label = "demo"
    verbose_name = "演示数据"
