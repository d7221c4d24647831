from django.core.management.base import BaseCommand

from govhall.queueing.services import appointments_mark_no_show, appointments_remind


class Command(BaseCommand):
    help = "Record appointment no-shows and send tomorrow's reminders (run daily, or often)."

    def handle(self, *args, **options):
        no_shows = appointments_mark_no_show()
        reminded = appointments_remind()
        self.stdout.write(f"爽约 {no_shows}，提醒 {reminded}")
