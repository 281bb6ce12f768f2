from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "keywork.exports"
    label = "exports"
    verbose_name = "Exports: the national return and FHIR"
