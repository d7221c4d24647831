from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "govhall.queueing"
    label = "queueing"
    verbose_name = "排队叫号与预约"

    def ready(self):
        from govhall.core.audit import register_audited

        register_audited("window", "queueing.Window")
        register_audited("queue", "queueing.Queue")
        register_audited("hall_rules", "queueing.HallRules")
        register_audited("slot", "queueing.AppointmentSlot")
        register_audited("appointment", "queueing.Appointment")

        from .merging import register

        register()

        from govhall.core.extensions import periodic_jobs

        from . import services

        periodic_jobs.register(services.appointments_mark_no_show, label="appointment no-shows")
        periodic_jobs.register(services.appointments_remind, label="appointment reminders")

        from govhall.catalog.extensions import item_windows

        from .item_windows import item_places_from_register

        # Where to go for an item (the guide's 办理窗口) is read from the window register.
        item_windows.register(item_places_from_register)

        # The public pages keep that answer (core/public_cache.py) until the register changes:
        # a queue, the windows there are, which queues and items they serve, the slots there are.
        from govhall.core import public_cache

        from .models import Queue, Window

        public_cache.bump_on_change("queueing.Queue")
        public_cache.bump_on_create_or_delete("queueing.Window", "queueing.AppointmentSlot")
        for through in (Queue.items.through, Window.queues.through, Window.items.through):
            public_cache.bump_on_m2m(through)
