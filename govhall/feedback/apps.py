from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "govhall.feedback"
    label = "feedback"
    verbose_name = "好差评与投诉"

    # ── Complaints ──
    def ready(self):
        from govhall.core.extensions import periodic_jobs
        from govhall.staffing.extensions import assessment_sources

        from . import selectors, services

        periodic_jobs.register(services.complaint_deadlines_run, label="complaint deadlines (效能投诉)")
        assessment_sources.register(selectors.complaints_measure, label="upheld complaints (效能投诉)")
