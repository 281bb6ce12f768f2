from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    name = "keywork.recovery"
    label = "recovery"
    verbose_name = "Recovery capital"

    def ready(self) -> None:
        from keywork.catalogue import loader
        from keywork.recovery.loader import load_shipped

        loader.also_load(load_shipped)
