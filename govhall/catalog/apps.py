from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "govhall.catalog"
    label = "catalog"
    verbose_name = "事项库"
