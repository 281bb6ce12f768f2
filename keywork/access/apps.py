from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "keywork.access"
    label = "access"
    verbose_name = "Organisation, people and audit"
