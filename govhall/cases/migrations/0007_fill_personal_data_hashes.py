"""Personal data at rest: existing rows get their lookup hashes (legacy plain values are read as
they are); `manage.py encrypt_personal_data` then encrypts them."""

import govhall.core.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_encrypt_personal_data"),
    ]

    operations = [
    govhall.core.fields.fill_hashes_operation('cases.Case', 'cases.HistoricalCase'),
    ]
