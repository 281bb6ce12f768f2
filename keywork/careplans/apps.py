from django.apps import AppConfig


class CarePlansConfig(AppConfig):
    name = "keywork.careplans"
    label = "careplans"
    verbose_name = "Care plans"
