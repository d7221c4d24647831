"""Coordination (issue 18): notices, joint meetings, help requests and a hall's disclosure.

`ready()` gives coordination's answers to the lower apps' extension points and lists its
recorded models on the audit page (/staff/audit/)."""

from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "govhall.coordination"
    label = "coordination"
    verbose_name = "协同联动"

    def ready(self):
        from govhall.cases.extensions import supervision_rows
        from govhall.core.audit import register_audited
        from govhall.core.extensions import periodic_jobs, workbench_sections

        from . import selectors, services

        # The staff workbench: unread notices, meeting action items, help requests.
        workbench_sections.register(selectors.notice_workbench, label="notices (信息沟通)")
        workbench_sections.register(selectors.action_item_workbench, label="joint meetings (联席会议)")
        workbench_sections.register(selectors.help_workbench, label="帮办代办 (help requests)")
        # A notice's reply date near: one automatic reminder a day to those who still owe it.
        periodic_jobs.register(services.notices_remind_due, label="notice reply reminders (回复提醒)")
        # 电子监察: meeting action items near or past their due date, beside the cases.
        supervision_rows.register(selectors.action_item_supervision, label="meeting action items (议定事项)")

        # The audit page: every coordination model that keeps history.
        register_audited("notice", "coordination.Notice")
        register_audited("notice_receipt", "coordination.NoticeReceipt")
        register_audited("notice_attachment", "coordination.NoticeAttachment")
        register_audited("meeting", "coordination.Meeting")
        register_audited("meeting_invitation", "coordination.MeetingInvitation")
        register_audited("action_item", "coordination.ActionItem")
        register_audited("help_request", "coordination.HelpRequest")
        register_audited("help_authorization", "coordination.HelpAuthorization")
        register_audited("help_case", "coordination.HelpCase")
