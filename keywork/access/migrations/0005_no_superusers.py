"""No account is a Django superuser; only administrators are staff (they use the admin)."""

from django.db import migrations


def no_superusers(apps, schema_editor):
    User = apps.get_model("auth", "User")
    Worker = apps.get_model("access", "Worker")
    User.objects.filter(is_superuser=True).update(is_superuser=False)
    administrators = Worker.objects.filter(role="administrator").values("user_id")
    User.objects.exclude(pk__in=administrators).filter(is_staff=True).update(is_staff=False)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0004_audit_sign_in_verbs"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(no_superusers, migrations.RunPython.noop)]
