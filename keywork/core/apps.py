from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "keywork.core"
    label = "core"
    verbose_name = "keywork core"

    def ready(self) -> None:
        from keywork.core import checks  # noqa: F401  (registers the system checks)
