from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "govhall.feedback"
    label = "feedback"
    verbose_name = "好差评与投诉"

    def ready(self):
        from govhall.core.extensions import periodic_jobs
        from govhall.staffing.extensions import assessment_sources

        from . import selectors, services

        # ── Complaints ──
        periodic_jobs.register(services.complaint_deadlines_run, label="complaint deadlines (效能投诉)")
        assessment_sources.register(selectors.complaints_measure, label="upheld complaints (效能投诉)")
        # ── Ratings ──
        periodic_jobs.register(services.invitations_send, label="rating invitations (好差评邀评)")
        periodic_jobs.register(
            services.rectification_warnings_compute, label="rectification warnings (差评整改)"
        )
        assessment_sources.register(selectors.ratings_measure, label="ratings (好差评)")
        # ── 办不成事 overdue (issue 15) ──
        periodic_jobs.register(services.unresolved_deadlines_run, label="unresolved deadlines (办不成事)")
