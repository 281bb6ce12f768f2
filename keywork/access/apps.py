from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "keywork.access"
    label = "access"
    verbose_name = "Organisation and people"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth

        from keywork.access import signals

        auth.user_logged_in.connect(signals.signed_in, dispatch_uid="keywork-signed-in")
        auth.user_logged_out.connect(signals.signed_out, dispatch_uid="keywork-signed-out")
        auth.user_login_failed.connect(signals.sign_in_refused, dispatch_uid="keywork-refused")
        from axes.signals import user_locked_out

        user_locked_out.connect(signals.locked_out, dispatch_uid="keywork-locked-out")

        from keywork.access import queries
        from keywork.access.models import Service, Team, Worker
        from keywork.core.inputs import reference

        reference(Worker, "username", queries.workers_by_username)
        reference(Team, "team code", lambda codes: Team.objects.in_bulk(codes, field_name="code"))
        reference(
            Service, "service code", lambda codes: Service.objects.in_bulk(codes, field_name="code")
        )
