from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "keywork.maps"
    label = "maps"
    verbose_name = "Maps"

    def ready(self) -> None:
        from keywork.catalogue.loader import check_attributes_with
        from keywork.maps.actions import guide_problem
        from keywork.maps.queries import tools_at
        from keywork.sessions import hooks

        hooks.tools_used(tools_at)
        check_attributes_with(guide_problem)
