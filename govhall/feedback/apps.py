from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "govhall.feedback"
    label = "feedback"
    verbose_name = "好差评与投诉"
