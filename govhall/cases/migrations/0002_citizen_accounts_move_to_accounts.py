# Citizen accounts and SMS codes belong to the accounts app now (accounts 0003).
# Only Django's picture of the models moves: the tables stay as they are.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel("CitizenAccount"), migrations.DeleteModel("SmsCode")],
        ),
    ]
