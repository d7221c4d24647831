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
