from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "govhall.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self):
        from govhall.core.audit import register_audited

        register_audited("case", "cases.Case")
        register_audited("correction_exception", "cases.CorrectionException")
        register_audited("inquiry", "cases.FirstInquiry")
        register_audited("chief_authorization", "cases.ChiefAuthorization")
        register_audited("escalation", "cases.Escalation")

        from govhall.core.extensions import periodic_jobs

        from . import services

        # Waiting periods first: a case deemed withdrawn raises no overdue warning.
        periodic_jobs.register(services.waiting_periods_run, label="waiting periods (离婚冷静期)")
        periodic_jobs.register(services.warnings_compute, label="case and inquiry warnings")

        from govhall.core.calendar import calendar_changed

        calendar_changed.register(services.deadlines_recompute, label="case deadlines")

        from govhall.staffing.extensions import assessment_sources

        from .selectors import on_time_measure

        assessment_sources.register(on_time_measure)

        # --- handover18: 代收代办 on the staff workbench ---
        from govhall.core.extensions import workbench_sections

        from .selectors import handover_workbench

        workbench_sections.register(handover_workbench, label="hand-overs between halls (代收代办)")
