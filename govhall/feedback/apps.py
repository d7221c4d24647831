from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "govhall.feedback"
    label = "feedback"
    verbose_name = "好差评与投诉"

    def ready(self):
        from govhall.core.extensions import periodic_jobs
        from govhall.queueing.extensions import service_finished
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
        # ── Ratings: public pages (issue 15) ──
        from govhall.cases.extensions import case_rating_link, case_rating_offers
        from govhall.catalog.extensions import item_satisfaction
        from govhall.queueing.extensions import ticket_rating

        ticket_rating.register(selectors.ticket_rating_answer, label="好差评 phone link (ticket)")
        case_rating_link.register(selectors.case_rating_link_answer, label="好差评 phone link (case notice)")
        case_rating_offers.register(selectors.case_rating_offers_answer, label="好差评 account channel")
        item_satisfaction.register(selectors.item_satisfaction_answer, label="好差评 item satisfaction")
        # ── Rectification pages ──
        from govhall.cases.extensions import supervision_rows
        from govhall.core.extensions import workbench_sections

        supervision_rows.register(selectors.rectification_supervision, label="rectifications (差评整改)")
        workbench_sections.register(selectors.rectification_workbench, label="ratings (好差评)")
        # ── Rating pads ──
        service_finished.register(services.pad_service_finished, label="rating pad lights up (评价器)")
        from govhall.cases.extensions import case_step_done

        case_step_done.register(services.pad_case_step, label="rating pad asks about a case step (评价器)")
        # ── District cockpit rollups (issue 16) ──
        from govhall.core.extensions import hall_day_figures

        hall_day_figures.register(selectors.hall_day_figures_answer, label="ratings and complaints (cockpit)")
        # ── 大厅实况屏 (lobby screens) ──
        from govhall.queueing.extensions import hall_satisfaction

        hall_satisfaction.register(
            selectors.hall_satisfaction_answer, label="好差评 hall satisfaction (lobby)"
        )
        # ── Ratings move the public pages' satisfaction figures (core/public_cache.py) ──
        from govhall.core import public_cache

        public_cache.bump_on_change("feedback.Rating", name=public_cache.RATINGS)
