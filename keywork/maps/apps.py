from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "keywork.maps"
    label = "maps"
    verbose_name = "Maps"

    def ready(self) -> None:
        from keywork.maps.queries import tools_at
        from keywork.sessions import hooks

        hooks.tools_used(tools_at)
