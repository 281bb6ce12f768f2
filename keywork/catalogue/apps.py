from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "keywork.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue (Skills Framework and national definitions)"

    def ready(self) -> None:
        from keywork.catalogue.models import Entry
        from keywork.core.inputs import reference

        reference(
            Entry, "catalogue code", lambda codes: Entry.objects.in_bulk(codes, field_name="code")
        )
