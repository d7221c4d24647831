# The app's first migration holds no table: each part of coordination adds its own after it.
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []
    operations: list = []
