from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "keywork.clients"
    label = "clients"
    verbose_name = "Clients and episodes"
