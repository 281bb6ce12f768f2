from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "keywork.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes"
