from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "keywork.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue (Skills Framework and national definitions)"
