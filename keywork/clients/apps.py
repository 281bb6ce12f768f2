from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "keywork.clients"
    label = "clients"
    verbose_name = "Clients and episodes"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth

        from keywork.audit import trail
        from keywork.clients import signals
        from keywork.clients.lookup import client_of

        auth.user_logged_in.connect(signals.signed_in, dispatch_uid="keywork-break-glass")
        trail.find_clients_with(client_of)
