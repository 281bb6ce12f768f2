from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "keywork.demo"
    label = "demo"
    verbose_name = "Synthetic demo data"
