from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "keywork.assessments"
    label = "assessments"
    verbose_name = "Comprehensive assessments"
