from django.apps import AppConfig


class CentersConfig(AppConfig):
    name = "govhall.centers"
    label = "centers"
    verbose_name = "中心与分中心"

    def ready(self):
        from govhall.accounts.services import role_assignments_move_for_merge
        from govhall.core.extensions import periodic_jobs

        from . import merging, services

        # A merged hall's people keep their roles at the survivor, without duplicates.
        merging.register("accounts.RoleAssignment", role_assignments_move_for_merge)

        periodic_jobs.register(services.changes_apply_due, label="applied branch changes")

        from govhall.accounts.extensions import password_max_age

        # Staff passwords expire after their district's setting (None: never).
        password_max_age.register(services.password_max_age_of, label="district password max age")

        # A hall's hours today (centers.today.hall_today, kept under the public version)
        # follow the calendar: a change of working days bumps that version.
        from govhall.core import public_cache
        from govhall.core.calendar import calendar_changed

        def public_pages_follow(**_: object) -> int:
            public_cache.changed()
            return 0  # no record of ours changed

        calendar_changed.register(public_pages_follow, label="public pages (hours today)")
