from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "govhall.accounts"
    label = "accounts"
    verbose_name = "人员与角色"

    def ready(self):
        from govhall.centers import merging

        from . import services

        merging.register("accounts.RoleAssignment", services.role_assignments_move_for_merge)
