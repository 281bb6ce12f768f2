from django.apps import AppConfig


class InterventionsConfig(AppConfig):
    name = "keywork.interventions"
    label = "interventions"
    verbose_name = "Interventions"
