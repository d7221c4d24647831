from django.apps import AppConfig


class CentersConfig(AppConfig):
    name = "govhall.centers"
    label = "centers"
    verbose_name = "中心与分中心"
