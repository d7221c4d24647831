"""Personal data at rest: existing rows get their lookup hashes (legacy plain values are read as
they are); `manage.py encrypt_personal_data` then encrypts them."""

import govhall.core.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_encrypt_phones"),
    ]

    operations = [
        # Existing rows get their hash (legacy plain phones read as they are), then the unique.
        govhall.core.fields.fill_hashes_operation('accounts.CitizenAccount', 'accounts.User', 'accounts.HistoricalUser'),
        migrations.AlterField(
            model_name='citizenaccount',
            name='phone_hash',
            field=govhall.core.fields.LookupHashField(source='phone', unique=True),
        ),
    ]

    operations = [
        migrations.AddField(
            model_name='citizenaccount',
            name='phone_hash',
            field=govhall.core.fields.LookupHashField(source='phone', db_index=False),
        ),
        migrations.AddField(
            model_name='historicaluser',
            name='phone_hash',
            field=govhall.core.fields.LookupHashField(db_index=True, source='phone'),
        ),
        migrations.AddField(
            model_name='user',
            name='phone_hash',
            field=govhall.core.fields.LookupHashField(db_index=True, source='phone'),
        ),
        migrations.AlterField(
            model_name='citizenaccount',
            name='phone',
            field=govhall.core.fields.EncryptedCharField(max_length=20, verbose_name='手机号'),
        ),
        migrations.AlterField(
            model_name='historicaluser',
            name='phone',
            field=govhall.core.fields.EncryptedCharField(blank=True, max_length=20, verbose_name='手机号'),
        ),
        migrations.AlterField(
            model_name='user',
            name='phone',
            field=govhall.core.fields.EncryptedCharField(blank=True, max_length=20, verbose_name='手机号'),
        ),
        # Existing rows get their hash (legacy plain phones read as they are), then the unique.
        govhall.core.fields.fill_hashes_operation('accounts.CitizenAccount', 'accounts.User', 'accounts.HistoricalUser'),
        migrations.AlterField(
            model_name='citizenaccount',
            name='phone_hash',
            field=govhall.core.fields.LookupHashField(source='phone', unique=True),
        ),
    ]
