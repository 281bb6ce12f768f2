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
