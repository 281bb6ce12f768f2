from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "keywork.maps"
    label = "maps"
    verbose_name = "Maps"
