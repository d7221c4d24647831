from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "govhall.coordination"
    label = "coordination"
    verbose_name = "协同联动"

    def ready(self):
        # Each part registers its answers to the lower apps' extension points here,
        # in its own marked block.
        pass
