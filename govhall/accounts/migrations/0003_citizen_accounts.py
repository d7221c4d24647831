# Citizen accounts and SMS codes move here from the cases app (cases 0002).
# Only Django's picture of the models moves: the tables keep their names and rows.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("cases", "0002_citizen_accounts_move_to_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CitizenAccount",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                        ("phone", models.CharField(max_length=20, unique=True, verbose_name="手机号")),
                        ("verified_at", models.DateTimeField(blank=True, null=True, verbose_name="验证时间")),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="citizen",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="用户",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "群众账号",
                        "verbose_name_plural": "群众账号",
                        "db_table": "cases_citizenaccount",
                    },
                ),
                migrations.CreateModel(
                    name="SmsCode",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("phone", models.CharField(db_index=True, max_length=20)),
                        ("purpose", models.CharField(default="register", max_length=20)),
                        ("code_hash", models.CharField(max_length=64)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("used_at", models.DateTimeField(blank=True, null=True)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                    ],
                    options={"ordering": ["-created_at"], "db_table": "cases_smscode"},
                ),
            ],
        ),
    ]
