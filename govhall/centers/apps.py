from django.apps import AppConfig


class CentersConfig(AppConfig):
    name = "govhall.centers"
    label = "centers"
    verbose_name = "中心与分中心"

    def ready(self):
        from govhall.core.extensions import periodic_jobs

        from . import services

        periodic_jobs.register(services.changes_apply_due, label="applied branch changes")
