from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "govhall.staffing"
    label = "staffing"
    verbose_name = "AB岗、考勤、请销假、培训与考核"

    def ready(self):
        from govhall.centers import merging
        from govhall.core.audit import register_audited

        # A month's confirmed scores are locked records of the hall they were given at.
        merging.keep("staffing.MonthlyAssessment")
        # A person's first day and the go-live date belong to the merged hall's own record.
        merging.keep("staffing.StaffPlacement")
        merging.keep("staffing.AttendanceSetting")

        register_audited("post", "staffing.Post")
        register_audited("leave", "staffing.Leave")
        register_audited("attendance", "staffing.Attendance")
        register_audited("assessment", "staffing.MonthlyAssessment")
        register_audited("weights", "staffing.WeightSet")

        from govhall.core.extensions import periodic_jobs
        from govhall.queueing.extensions import window_duty

        from . import selectors, services

        # Who may work a window: the holder of its post on duty (A, B covering, or the substitute).
        window_duty.register(selectors.may_serve_window)

        periodic_jobs.register(services.leaves_start_due, label="leaves started")
        periodic_jobs.register(services.staffing_gaps_warn, label="staffing gap warnings")
