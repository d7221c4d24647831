from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "govhall.dashboards"
    label = "dashboards"
    verbose_name = "工作台与统计"
