"""The browser test's story (tests/e2e/test_leave_substitute.py) through the
test client on the demo data, at a fixed Monday: the same labels, the same
outcome."""

import re
from datetime import date

import pytest
import time_machine

from govhall.accounts.models import User
from govhall.centers.demo import load_demo
from govhall.queueing.demo import load_demo_queueing
from govhall.queueing.models import Window
from govhall.staffing.demo import load_demo_staffing
from govhall.staffing.models import Leave

DAY1, DAY2, DAY3 = date(2026, 9, 14), date(2026, 9, 15), date(2026, 9, 16)


@pytest.fixture
def demo(db):
    with time_machine.travel(date(2026, 9, 14), tick=False):
        load_demo()
        load_demo_queueing()
        load_demo_staffing()
        yield


def as_(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def ask(client, start, end):
    r = client.post(
        "/staff/staffing/leave/",
        {"kind": "annual", "start_date": start.isoformat(), "end_date": end.isoformat(), "reason": "探亲"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    return r["Location"]


def test_demo_story_gap_refused_then_substitute_then_b_opens_window_1(demo, client):
    b_url = ask(as_(client, "clerk_mz_b"), DAY2, DAY2)
    assert as_(client, "manager_mz").post(b_url + "approve/", {}).status_code == 302
    a_url = ask(as_(client, "clerk_mz"), DAY1, DAY3)
    page = as_(client, "manager_mz").get(a_url).content.decode()
    assert re.search(r"3(\.0)? 个工作日", page)
    label = f"{DAY2:%m月%d日} 1号窗口 顶岗人员"
    assert label in page
    r = client.post(a_url + "approve/", {})
    assert r.status_code == 400 and 'id="approve-error"' in r.content.decode()
    field = re.search(r'name="(sub_\d+_20260915)"', r.content.decode()).group(1)
    sub = User.objects.get(username="clerk_mz_c")
    assert client.post(a_url + "approve/", {field: sub.id}).status_code == 302
    leave = Leave.objects.get(user__username="clerk_mz")
    assert leave.status == Leave.Status.ON_LEAVE
    hall = Window.objects.get(center__code="HC-MZ", number=1).center
    html = client.get(f"/staff/staffing/hall/{hall.pk}/coverage/?start={DAY1}").content.decode()
    assert f'data-day="{DAY1}" data-window="1">婚姻登记窗口 周强（演示）（B）' in html
    assert f'data-day="{DAY2}" data-window="1">婚姻登记窗口 王芳（演示）（顶岗）' in html
    assert f'data-day="{DAY3}" data-window="1">婚姻登记窗口 周强（演示）（B）' in html
    w1 = Window.objects.get(center=hall, number=1)
    r = as_(client, "clerk_mz_c").post(f"/staff/queue/windows/{w1.pk}/open/")
    assert r.status_code == 403 and "不能操作此窗口" in r.content.decode()
    w1.refresh_from_db()
    assert w1.status == "closed"
    r = as_(client, "clerk_mz_b").post(f"/staff/queue/windows/{w1.pk}/open/")
    assert r.status_code == 302
    w1.refresh_from_db()
    assert w1.status == "open" and w1.clerk.username == "clerk_mz_b"
