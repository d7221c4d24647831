"""The district office's working-day calendar page (工作日调整), and how a
deadline that cannot be computed yet is explained to staff."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client

from govhall.cases import services
from govhall.cases.models import Case, Warning
from govhall.core.models import CalendarOverride

from .conftest import client_for

pytestmark = pytest.mark.django_db
URL = "/staff/calendar/"


def _flagged_case(world, intake) -> Case:
    """Accepted on 2026-12-29 with 5 working days: the deadline falls in 2027, which the package does not know."""
    with time_machine.travel(datetime(2026, 12, 29, 2, 0, tzinfo=UTC), tick=False):
        case = intake(4)
        services.case_accept(by=world["clerk_a"], case=case)
    case.refresh_from_db()
    assert case.deadline_unknown and case.deadline is None
    return case


def test_district_admin_adds_an_override(world):
    r = client_for(world["admin"]).post(URL, {"date": "2027-01-01", "is_workday": "0", "note": "2027 年元旦"})
    assert r.status_code == 302
    row = CalendarOverride.objects.get()
    assert (row.date, row.is_workday, row.note, row.district_id) == (
        date(2027, 1, 1),
        False,
        "2027 年元旦",
        world["district"].id,
    )
    html = client_for(world["admin"]).get(URL).content.decode()
    assert "2027-01-01" in html and "2027 年元旦" in html


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({"date": "", "is_workday": "0", "note": "元旦"}, "date", "请填写日期"),
        ({"date": "2027-13-01", "is_workday": "0", "note": "元旦"}, "date", "日期格式应为"),
        ({"date": "2027-01-01", "note": "元旦"}, "is_workday", "放假还是上班"),
        ({"date": "2027-01-01", "is_workday": "0", "note": ""}, "note", "请写明原因"),
    ],
)
def test_bad_override_is_refused_next_to_the_field(world, post, field, message):
    r = client_for(world["admin"]).post(URL, post)
    assert r.status_code == 400
    html = r.content.decode()
    assert f'id="f-{field}-error"' in html and message in html
    assert not CalendarOverride.objects.exists()


def test_same_day_twice_is_refused(world):
    c = client_for(world["admin"])
    c.post(URL, {"date": "2027-01-01", "is_workday": "0", "note": "元旦"})
    r = c.post(URL, {"date": "2027-01-01", "is_workday": "1", "note": "重复"})
    assert r.status_code == 400 and "已有调整记录" in r.content.decode()
    assert CalendarOverride.objects.get().is_workday is False


@pytest.mark.parametrize("who", ["clerk_a", "manager_a", "leader_a"])
def test_only_the_district_office_keeps_the_calendar(world, who):
    c = client_for(world[who])
    assert c.get(URL).status_code == 403
    assert c.post(URL, {"date": "2027-01-01", "is_workday": "0", "note": "元旦"}).status_code == 403
    row = CalendarOverride.objects.create(
        date=date(2027, 1, 1), is_workday=False, note="元旦", district=world["district"]
    )
    assert c.post(f"{URL}{row.pk}/delete/").status_code == 403
    assert CalendarOverride.objects.filter(pk=row.pk).exists()


def test_anonymous_is_sent_to_login(world):
    r = Client().get(URL)
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_district_admin_deletes_an_override(world):
    row = CalendarOverride.objects.create(
        date=date(2027, 1, 1), is_workday=False, note="元旦", district=world["district"]
    )
    assert client_for(world["admin"]).post(f"{URL}{row.pk}/delete/").status_code == 302
    assert not CalendarOverride.objects.exists()


def test_rows_for_every_district_cannot_be_deleted_from_the_page(world):
    row = CalendarOverride.objects.create(date=date(2027, 1, 1), is_workday=False, note="元旦")
    assert client_for(world["admin"]).post(f"{URL}{row.pk}/delete/").status_code == 404
    assert CalendarOverride.objects.filter(pk=row.pk).exists()


def test_flagged_deadline_is_explained_on_the_case_and_supervision_pages(world, intake):
    case = _flagged_case(world, intake)
    html = client_for(world["clerk_a"]).get(f"/staff/cases/{case.number}/").content.decode()
    assert "2027年节假日安排尚未录入，期限待区政务办录入后计算" in html
    services.warnings_compute(today=date(2026, 12, 29))
    assert Warning.objects.get(case=case).message == "2027年节假日安排尚未录入，期限待区政务办录入后计算。"
    html = client_for(world["admin"]).get("/staff/supervision/").content.decode()
    assert "2027年节假日安排尚未录入，期限待区政务办录入后计算" in html
    assert 'href="/staff/calendar/"' in html  # the district office is shown where to enter it


def test_entering_the_year_computes_the_flagged_deadline(world, intake):
    case = _flagged_case(world, intake)
    c = client_for(world["admin"])
    r = c.post(URL, {"date": "2027-01-01", "is_workday": "0", "note": "2027 年元旦"}, follow=True)
    assert "已重新计算 1 件办件的期限" in r.content.decode()
    case.refresh_from_db()
    # 12-30, 12-31 (2026, known), then 2027: 01-01 off, 01-02/03 weekend, 01-04, 01-05, 01-06.
    assert not case.deadline_unknown and case.deadline == date(2027, 1, 6)
