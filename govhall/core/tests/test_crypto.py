"""Personal data at rest: what the database holds, reading under rotated keys, the two commands."""

import base64
from io import StringIO

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection

from govhall.accounts.models import User
from govhall.core import crypto
from govhall.core.apps import field_keys_check
from govhall.core.fields import fill_hashes

K1 = "k1:" + base64.b64encode(b"1" * 32).decode()
K2 = "k2:" + base64.b64encode(b"2" * 32).decode()
LOOKUP = base64.b64encode(b"L" * 32).decode()
PHONE = "13812345678"
PERSON_ID = "110105199001011232"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cur.fetchone()[0]


def raw_history(table: str, column: str, pk: int) -> list[str]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return [r[0] for r in cur.fetchall()]


# --- the primitives ------------------------------------------------------------


def test_round_trip_and_stored_form(settings):
    settings.GOVHALL_FIELD_KEYS, settings.GOVHALL_LOOKUP_KEY = K1, LOOKUP
    stored = crypto.encrypt(PHONE)
    assert stored.startswith("k1$") and PHONE not in stored
    assert crypto.decrypt(stored) == PHONE
    assert crypto.encrypt(PHONE) != stored  # a fresh nonce each time
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""
    looks_like_ciphertext = "k1$" + stored.split("$", 1)[1]
    assert (
        crypto.decrypt(crypto.encrypt(looks_like_ciphertext)) == looks_like_ciphertext
    )  # never stored as is


def test_a_legacy_plain_value_reads_as_it_is():
    assert crypto.decrypt(PHONE) == PHONE


def test_tampered_ciphertext_raises_a_clear_error(settings):
    settings.GOVHALL_FIELD_KEYS = K1
    stored = crypto.encrypt(PHONE)
    kid, _, b64 = stored.partition("$")
    blob = bytearray(base64.b64decode(b64))
    blob[-1] ^= 1
    with pytest.raises(crypto.FieldDecryptionError, match="does not decrypt"):
        crypto.decrypt(f"{kid}${base64.b64encode(bytes(blob)).decode()}")
    with pytest.raises(crypto.FieldDecryptionError, match="unknown key"):
        crypto.decrypt("k9$" + b64)


def test_lookup_hash_normalises_and_depends_on_the_key(settings):
    settings.GOVHALL_LOOKUP_KEY = LOOKUP
    assert crypto.lookup_hash("110105 19900101123x") == crypto.lookup_hash("110105199001011232"[:-1] + "X")
    assert crypto.lookup_hash(" 138 1234 5678 ") == crypto.lookup_hash(PHONE)
    assert crypto.lookup_hash("") == ""
    before = crypto.lookup_hash(PHONE)
    settings.GOVHALL_LOOKUP_KEY = base64.b64encode(b"M" * 32).decode()
    assert crypto.lookup_hash(PHONE) != before


def test_production_without_keys_is_a_check_error(settings):
    settings.PRODUCTION = True
    settings.GOVHALL_FIELD_KEYS = settings.GOVHALL_LOOKUP_KEY = ""
    assert [e.id for e in field_keys_check(None)] == ["govhall.E002"]
    settings.GOVHALL_FIELD_KEYS, settings.GOVHALL_LOOKUP_KEY = K1, LOOKUP
    assert field_keys_check(None) == []
    settings.GOVHALL_FIELD_KEYS = "k1:notbase64!"
    assert [e.id for e in field_keys_check(None)] == ["govhall.E003"]


# --- in the database ------------------------------------------------------------


@pytest.mark.django_db
def test_a_users_phone_is_ciphertext_in_the_table_and_its_history(settings):
    settings.GOVHALL_FIELD_KEYS = K1
    from govhall.accounts.services import user_create

    user = user_create(by=None, username="li", full_name="李四", password="Xy1!secret-pass", phone=PHONE)
    stored = raw("accounts_user", "phone", user.pk)
    assert stored.startswith("k1$") and PHONE not in stored
    history = raw_history(User.history.model._meta.db_table, "phone", user.pk)
    assert history and all(h.startswith("k1$") for h in history)
    assert User.objects.get(pk=user.pk).phone == PHONE
    assert User.objects.get(phone_hash=crypto.lookup_hash(PHONE)) == user
    assert user.masked_phone == "138****5678"


@pytest.mark.django_db
def test_filtering_on_the_encrypted_field_itself_raises():
    with pytest.raises(FieldError, match="encrypted"):
        list(User.objects.filter(phone=PHONE))
    with pytest.raises(FieldError):
        list(User.objects.filter(phone__icontains="1381"))
    assert list(User.objects.filter(phone__isnull=True)) == []


@pytest.mark.django_db
def test_update_fields_also_saves_the_hash():
    user = User.objects.create(username="wang", phone="")
    user.phone = PHONE
    user.save(update_fields=["phone"])
    assert User.objects.get(pk=user.pk).phone_hash == crypto.lookup_hash(PHONE)


@pytest.mark.django_db
def test_rotation_reads_old_values_and_the_command_rewrites_them(settings):
    settings.GOVHALL_FIELD_KEYS = K1
    user = User.objects.create(username="zhao", phone=PHONE)
    assert raw("accounts_user", "phone", user.pk).startswith("k1$")

    settings.GOVHALL_FIELD_KEYS = f"{K2},{K1}"  # k2 now encrypts, k1 still decrypts
    assert User.objects.get(pk=user.pk).phone == PHONE
    out = StringIO()
    call_command("rotate_field_key", stdout=out)
    assert raw("accounts_user", "phone", user.pk).startswith("k2$")
    assert "accounts.User: 重新加密 1 行" in out.getvalue()

    settings.GOVHALL_FIELD_KEYS = K2  # k1 dropped: still readable
    assert User.objects.get(pk=user.pk).phone == PHONE
    out = StringIO()
    call_command("rotate_field_key", stdout=out)
    assert "共重新加密 0 行" in out.getvalue()


@pytest.mark.django_db
def test_rotating_the_lookup_key_recomputes_hashes(settings):
    user = User.objects.create(username="qian", phone=PHONE)
    settings.GOVHALL_LOOKUP_KEY = LOOKUP
    assert not User.objects.filter(phone_hash=crypto.lookup_hash(PHONE)).exists()
    call_command("rotate_field_key", "--lookup", stdout=StringIO())
    assert User.objects.get(phone_hash=crypto.lookup_hash(PHONE)) == user


@pytest.mark.django_db
def test_encrypt_personal_data_turns_a_legacy_row_into_ciphertext_once(settings):
    settings.GOVHALL_FIELD_KEYS = K1
    user = User.objects.create(username="sun", phone="")
    with connection.cursor() as cur:  # as a row written before encryption looks
        cur.execute("UPDATE accounts_user SET phone = %s, phone_hash = '' WHERE id = %s", [PHONE, user.pk])
    assert raw("accounts_user", "phone", user.pk) == PHONE
    assert User.objects.get(pk=user.pk).phone == PHONE  # readable before the command

    out = StringIO()
    call_command("encrypt_personal_data", stdout=out)
    stored = raw("accounts_user", "phone", user.pk)
    assert stored.startswith("k1$") and PHONE not in stored
    assert User.objects.get(phone_hash=crypto.lookup_hash(PHONE)).pk == user.pk
    assert "accounts.User: 加密 1 行，补散列 1 行" in out.getvalue()

    out = StringIO()
    call_command("encrypt_personal_data", stdout=out)
    assert "共加密 0 行" in out.getvalue()
    assert "补散列 1" not in out.getvalue()
    assert fill_hashes(User) == 0


@pytest.mark.django_db
def test_a_second_citizen_account_for_the_same_phone_is_refused_by_validation():
    from django.core.exceptions import ValidationError

    from govhall.accounts.models import CitizenAccount

    CitizenAccount.objects.create(user=User.objects.create(username="c1"), phone=PHONE)
    again = CitizenAccount(user=User.objects.create(username="c2"), phone=f" {PHONE[:3]} {PHONE[3:]}")
    with pytest.raises(ValidationError) as exc:
        again.full_clean()
    assert "phone_hash" in exc.value.message_dict
