from django.apps import AppConfig


class SessionsConfig(AppConfig):
    name = "keywork.sessions"
    label = "keywork_sessions"
    verbose_name = "Keywork sessions"
