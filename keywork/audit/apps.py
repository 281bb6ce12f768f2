from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "keywork.audit"
    label = "audit"
    verbose_name = "Audit trail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from keywork.audit import trail
        from keywork.core.writes import on_refusal

        on_refusal(trail.refused_action)
