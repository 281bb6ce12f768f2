from django.apps import AppConfig


class SessionsConfig(AppConfig):
    name = "keywork.sessions"
    label = "keywork_sessions"
    verbose_name = "Keywork sessions"

    def ready(self) -> None:
        from keywork.clients import hooks
        from keywork.sessions.actions import cancel_after_discharge, last_seen

        hooks.last_activity(last_seen)
        hooks.on_discharge(cancel_after_discharge)
