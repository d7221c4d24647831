from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "govhall.accounts"
    label = "accounts"
    verbose_name = "人员与角色"

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        from . import services

        # A login is not a change to the person: record last_login without a history row.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(services.last_login_record, dispatch_uid="govhall_last_login")

        from govhall.core.extensions import periodic_jobs

        periodic_jobs.register(services.idle_accounts_disable, label="idle accounts disabled")
