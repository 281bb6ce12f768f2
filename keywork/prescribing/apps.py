from django.apps import AppConfig


class PrescribingConfig(AppConfig):
    name = "keywork.prescribing"
    label = "prescribing"
    verbose_name = "Prescribing"
