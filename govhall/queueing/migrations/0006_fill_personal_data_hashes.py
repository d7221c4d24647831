"""Personal data at rest: existing rows get their lookup hashes (legacy plain values are read as
they are); `manage.py encrypt_personal_data` then encrypts them."""

import govhall.core.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0005_encrypt_personal_data"),
    ]

    operations = [
        # Existing rows get their hashes before the one-booking constraint moves onto them.
        govhall.core.fields.fill_hashes_operation(
            'queueing.Appointment', 'queueing.HistoricalAppointment', 'queueing.Ticket', 'queueing.HistoricalTicket'
        ),
        migrations.AddConstraint(
            model_name='appointment',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['booked', 'checked_in'])), fields=('id_number_hash', 'queue', 'date'), name='one_booking_per_person_queue_day'),
        ),
    ]
