from django.apps import AppConfig


class OverviewConfig(AppConfig):
    name = "keywork.overview"
    label = "overview"
    verbose_name = "Caseload, client record and team view"
