from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "keywork.referrals"
    label = "referrals"
    verbose_name = "Referrals"
