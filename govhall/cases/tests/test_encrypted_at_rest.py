"""Personal data at rest in cases: the table and its history hold ciphertext; tracking by
number + phone, staff search by a whole number and the other party's own cases still work
(through the lookup hashes)."""

import pytest
from django.db import connection
from django.utils import timezone

from govhall.accounts.models import CitizenAccount
from govhall.cases import selectors
from govhall.cases.models import Case
from tests.support import make_user

from .conftest import PERSON_ID, PHONE
from .test_limits import republish

pytestmark = pytest.mark.django_db

SECOND_ID = "110105199102031849"
SECOND_PHONE = "13900001111"


def raw_rows(table: str, columns: list[str], pk: int) -> list[tuple]:
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {cols} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test, names fixed
        return cur.fetchall()


@pytest.fixture
def both(marriage):
    """结婚登记 as both parties apply for it (so the other party's ID and phone are kept)."""
    republish(marriage, parties=2)
    return marriage


COLUMNS = ["applicant_id_number", "contact_phone", "second_id_number", "second_phone"]
PLAIN = [PERSON_ID, PHONE, SECOND_ID, SECOND_PHONE]


def test_a_new_case_holds_no_plain_id_or_phone_in_its_table_or_history(world, intake, both):
    case = intake(
        second_name="李四",
        second_id_number=SECOND_ID,
        second_phone=SECOND_PHONE,
        paper_material_ids=list(both.current_guide.materials.values_list("id", flat=True)),
    )
    rows = raw_rows("cases_case", COLUMNS, case.pk)
    rows += raw_rows(Case.history.model._meta.db_table, COLUMNS, case.pk)
    assert len(rows) >= 2  # the row and at least one history row
    for row in rows:
        for stored, plain in zip(row, PLAIN, strict=True):
            assert stored and "$" in stored and plain not in stored
    fresh = Case.objects.get(pk=case.pk)
    assert [getattr(fresh, c) for c in COLUMNS] == PLAIN
    assert case.history.first().contact_phone == PHONE  # history reads back decrypted


def test_tracking_by_number_and_phone_still_finds_the_case(world, intake):
    case = intake()
    assert selectors.case_track(number=case.number.lower(), phone=f" {PHONE} ") == case
    assert selectors.case_track(number=case.number, phone="13911112222") is None


def test_staff_search_finds_the_case_by_a_whole_id_number_or_phone_only(world, intake):
    case = intake()
    admin = world["admin"]
    assert list(selectors.cases_filtered(user=admin, q=PHONE)) == [case]
    assert list(selectors.cases_filtered(user=admin, q=PERSON_ID.lower())) == [case]
    assert list(selectors.cases_filtered(user=admin, q=PHONE[:7])) == []  # no partial match on ciphertext


def test_the_other_party_still_finds_their_case_by_their_verified_phone(world, intake, both):
    case = intake(
        second_name="李四",
        second_id_number=SECOND_ID,
        second_phone=SECOND_PHONE,
        paper_material_ids=list(both.current_guide.materials.values_list("id", flat=True)),
    )
    user = make_user("lisi-crypto")
    CitizenAccount.objects.create(user=user, phone=SECOND_PHONE, verified_at=timezone.now())
    assert case in selectors.cases_of_applicant(user)
    stranger = make_user("wangwu-crypto")
    CitizenAccount.objects.create(user=stranger, phone="13700000000", verified_at=timezone.now())
    assert case not in selectors.cases_of_applicant(stranger)
