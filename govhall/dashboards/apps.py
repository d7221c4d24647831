from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "govhall.dashboards"
    label = "dashboards"
    verbose_name = "工作台与统计"

    def ready(self):
        from govhall.core.extensions import periodic_jobs

        from .rollups import rollups_refresh

        periodic_jobs.register(rollups_refresh, label="cockpit rollups (驾驶舱统计)")
