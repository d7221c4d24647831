from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "govhall.coordination"
    label = "coordination"
    verbose_name = "协同联动"

    def ready(self):
        # Each part registers its answers to the lower apps' extension points here,
        # in its own marked block.
        pass
        # --- notice18 ---
        from govhall.core.extensions import workbench_sections

        from .selectors import notice_workbench

        workbench_sections.register(notice_workbench, label="notices (信息沟通)")
        # --- meet18 ---
        from govhall.cases.extensions import supervision_rows
        from govhall.core.extensions import workbench_sections

        from . import selectors as meet_selectors

        workbench_sections.register(meet_selectors.action_item_workbench, label="joint meetings (联席会议)")
        supervision_rows.register(
            meet_selectors.action_item_supervision, label="meeting action items (议定事项)"
        )
        # --- help18 ---
        from govhall.core.extensions import workbench_sections

        from .selectors import help_workbench

        workbench_sections.register(help_workbench, label="帮办代办 (help requests)")
        from govhall.core.audit import register_audited

        register_audited("help_request", "coordination.HelpRequest")
        register_audited("help_authorization", "coordination.HelpAuthorization")
