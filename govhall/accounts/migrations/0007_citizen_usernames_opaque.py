"""Citizens' login names were their phone numbers, in clear beside the
encrypted phone. They become opaque (c- + the phone's lookup hash), in the
user table and its history; citizens keep signing in with their phone."""

from django.db import migrations


def opaque(apps, schema_editor):
    from govhall.core.crypto import lookup_hash

    CitizenAccount = apps.get_model("accounts", "CitizenAccount")
    User = apps.get_model("accounts", "User")
    HistoricalUser = apps.get_model("accounts", "HistoricalUser")
    for account in CitizenAccount.objects.select_related("user").iterator():
        name = "c-" + lookup_hash(account.phone)[:20]
        if account.user.username != name:
            User.objects.filter(pk=account.user_id).update(username=name)
            HistoricalUser.objects.filter(id=account.user_id).update(username=name)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_merge_0004_password_history_0005_fill_phone_hashes")]
    operations = [migrations.RunPython(opaque, migrations.RunPython.noop)]
