from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "keywork.measures"
    label = "measures"
    verbose_name = "Quality measures"
