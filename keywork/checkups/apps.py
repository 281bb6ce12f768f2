from django.apps import AppConfig


class CheckupsConfig(AppConfig):
    name = "keywork.checkups"
    label = "checkups"
    verbose_name = "Recovery check-ups"
