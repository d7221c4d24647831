"""The district office's working-day calendar page (工作日调整): each year's
national arrangement (entered by one person, confirmed by a second) and the
district's local closures. The deadlines these move are tested in
cases/tests/test_calendar_recompute.py."""

from datetime import date

import pytest
from django.test import Client

from govhall.accounts.models import Role
from govhall.centers import calendar as cal
from govhall.core.calendar import year_known
from govhall.core.models import CalendarOverride, HolidayArrangement
from tests.support import make_user

pytestmark = pytest.mark.django_db
URL = "/staff/calendar/"
NEW = "/staff/calendar/arrangements/new/"
FORM = {
    "year": "2027",
    "number": "国办发明电〔2026〕示例号",
    "title": "",
    "periods": "2027-01-01 至 2027-01-03 元旦\n2027-02-05 至 2027-02-13 春节\n",
    "makeups": "2027-02-20 春节调休",
}


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def second(world):
    return make_user("tadmin2", Role.DISTRICT_ADMIN, world["hub"])


def test_district_admin_adds_a_local_closure(world):
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


def test_the_workbench_links_to_the_calendar_page(world):
    html = client_for(world["admin"]).get("/staff/").content.decode()
    assert 'href="/staff/calendar/"' in html


def test_a_local_closure_does_not_make_the_year_known_on_the_page(world):
    client_for(world["admin"]).post(URL, {"date": "2027-03-01", "is_workday": "0", "note": "停电闭厅"})
    html = client_for(world["admin"]).get(URL).content.decode()
    assert "2027 年节假日安排尚未录入或尚未确认" in html
    assert year_known(2027, district=world["district"]) is False


def test_the_district_office_enters_an_arrangement_on_the_page_as_a_draft(world):
    c = client_for(world["admin"])
    assert "放假时段（每行一个）" in c.get(NEW).content.decode()
    r = c.post(NEW, FORM)
    a = HolidayArrangement.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/staff/calendar/arrangements/{a.pk}/"
    assert (a.year, a.status, a.entered_by) == (2027, "draft", world["admin"])
    assert [p.name for p in a.periods.all()] == ["元旦", "春节"]
    html = c.get(r["Location"]).content.decode()
    assert "待确认" in html and "您是录入人，不能自己确认" in html
    assert "录入 2027 年节假日安排" in html  # history shown
    listing = c.get(URL).content.decode()
    assert "国办发明电〔2026〕示例号" in listing and "待确认" in listing


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"periods": "春节 2月5日至13日"}, "periods", "第 1 行格式不对"),
        ({"periods": "2027-02-13 至 2027-02-05 春节"}, "periods", "晚于结束日期"),
        ({"periods": ""}, "periods", "请至少录入一个放假时段"),
        ({"makeups": "2027-02-06 春节调休"}, "makeups", "既放假（春节）又上班"),
        ({"makeups": "2027-02-17 调休"}, "makeups", "调休上班日应为周六或周日"),
        ({"number": ""}, "number", "请填写通知文号"),
        ({"year": "二〇二七"}, "year", "年份应为四位数字"),
    ],
)
def test_an_inconsistent_arrangement_is_refused_next_to_the_field_on_the_page(world, change, field, message):
    r = client_for(world["admin"]).post(NEW, {**FORM, **change})
    assert r.status_code == 400
    html = r.content.decode()
    assert f'id="a-{field}-error"' in html and message in html
    assert not HolidayArrangement.objects.exists()


def test_the_one_who_entered_it_is_refused_confirmation_on_the_page_and_a_second_person_confirms(
    world, second
):
    client_for(world["admin"]).post(NEW, FORM)
    a = HolidayArrangement.objects.get()
    confirm = f"/staff/calendar/arrangements/{a.pk}/confirm/"
    r = client_for(world["admin"]).post(confirm)
    assert r.status_code == 403 and "录入人不能确认" in r.content.decode()
    assert HolidayArrangement.objects.get().status == "draft"
    html = client_for(second).get(f"/staff/calendar/arrangements/{a.pk}/").content.decode()
    assert "data-confirm=" in html and "核对无误，确认生效" in html
    r = client_for(second).post(confirm, follow=True)
    assert "已确认 2027 年节假日安排" in r.content.decode()
    a.refresh_from_db()
    assert (a.status, a.confirmed_by) == ("confirmed", second)
    assert year_known(2027, district=world["district"]) is True


def test_editing_a_confirmed_arrangement_on_the_page_returns_it_to_draft(world, second):
    a = cal.holiday_arrangement_create(
        by=world["admin"],
        year=2027,
        number="国办发明电〔2026〕示例号",
        periods=[("元旦", date(2027, 1, 1), date(2027, 1, 3))],
        makeups=[],
    )
    cal.holiday_arrangement_confirm(by=second, arrangement=a)
    edit = f"/staff/calendar/arrangements/{a.pk}/edit/"
    c = client_for(second)
    assert "2027-01-01 至 2027-01-03 元旦" in c.get(edit).content.decode()  # the form shows it as typed
    r = c.post(edit, {**FORM, "reason": ""})
    assert r.status_code == 400 and "须写明原因" in r.content.decode()
    r = c.post(edit, {**FORM, "reason": "补录春节"})
    assert r.status_code == 302
    a.refresh_from_db()
    assert (a.status, a.entered_by) == ("draft", second)
    assert year_known(2027, district=world["district"]) is False


def test_reopening_on_the_page_needs_a_reason(world, second):
    a = cal.holiday_arrangement_create(
        by=world["admin"],
        year=2027,
        number="国办发明电〔2026〕示例号",
        periods=[("元旦", date(2027, 1, 1), date(2027, 1, 3))],
        makeups=[],
    )
    cal.holiday_arrangement_confirm(by=second, arrangement=a)
    r = client_for(second).post(f"/staff/calendar/arrangements/{a.pk}/reopen/", {"reason": ""})
    assert r.status_code == 400 and 'id="r-reason-error"' in r.content.decode()
    r = client_for(second).post(f"/staff/calendar/arrangements/{a.pk}/reopen/", {"reason": "与原文不符"})
    assert r.status_code == 302
    assert HolidayArrangement.objects.get().status == "draft"


@pytest.mark.parametrize("who", ["clerk_a", "manager_a", "leader_a"])
def test_only_the_district_office_sees_and_changes_arrangements(world, who):
    a = cal.holiday_arrangement_create(
        by=world["admin"],
        year=2027,
        number="国办发明电〔2026〕示例号",
        periods=[("元旦", date(2027, 1, 1), date(2027, 1, 3))],
        makeups=[],
    )
    c = client_for(world[who])
    assert c.get(NEW).status_code == 403
    assert c.post(NEW, {**FORM, "year": "2028"}).status_code == 403
    assert c.get(f"/staff/calendar/arrangements/{a.pk}/").status_code == 403
    assert c.post(f"/staff/calendar/arrangements/{a.pk}/confirm/").status_code == 403
    assert HolidayArrangement.objects.get().status == "draft"


def test_another_districts_office_finds_no_arrangement(world, other_world):
    a = cal.holiday_arrangement_create(
        by=world["admin"],
        year=2027,
        number="国办发明电〔2026〕示例号",
        periods=[("元旦", date(2027, 1, 1), date(2027, 1, 3))],
        makeups=[],
    )
    c = client_for(other_world["admin"])
    assert c.get(f"/staff/calendar/arrangements/{a.pk}/").status_code == 404
    assert c.post(f"/staff/calendar/arrangements/{a.pk}/confirm/").status_code == 404
    assert "国办发明电" not in c.get(URL).content.decode()
    assert HolidayArrangement.objects.get().status == "draft"
