"""差评整改 in the browser: the hall manager goes from the workbench to the bad
rating, records the revisit, finds it valid and fixes it with an answer (after a
confirmation); the district office then sees it closed on time. Axe-clean at
390 px and 1366 px."""

import re

import pytest

from .conftest import assert_accessible, login, logout

SETUP = """
from govhall.accounts.models import User
from govhall.feedback import services as feedback
from govhall.queueing import services as queueing
from govhall.queueing.demo import hall_open_all_day
from govhall.queueing.models import Window
hall_open_all_day(['HC-MZ'])
w = Window.objects.filter(center__code='HC-MZ').order_by('number').first()
clerk = User.objects.get(username='clerk_mz')
queueing.window_open(window=w, by=clerk)
t = queueing.ticket_issue(queue=w.queues.first(), phone='13912345678')
for _ in range(30):  # the browser tests share one server: others may be waiting in this queue
    t.refresh_from_db()
    if t.status == 'done':
        break
    if w.tickets.filter(status__in=['called', 'serving']).exists():
        queueing.ticket_finish(window=w, by=clerk)
    else:
        queueing.ticket_call_next(window=w, by=clerk)
r = feedback.rating_by_qr(token=feedback.qr_token('ticket', t.pk, 'served'), level=2,
                          indicators=['attitude'], text='窗口人员态度冷淡')
print(r.rectification.pk)
"""


@pytest.fixture(scope="module")
def rect_pk(server):
    server.manage("load_demo_queueing")
    return int(server.manage("shell", "-c", SETUP).strip().splitlines()[-1])


def both_widths(page) -> None:
    for width, height in ((390, 844), (1366, 900)):
        page.set_viewport_size({"width": width, "height": height})
        assert_accessible(page)


def test_manager_rectifies_a_bad_rating_and_the_district_sees_it_on_time(page, rect_pk):
    asked: list[str] = []
    page.on("dialog", lambda d: asked.append(d.message))
    login(page, "manager_mz")
    page.get_by_role("link", name=re.compile(r"^差评整改（\d+）")).click()
    page.wait_for_url("**/staff/rectifications/")
    both_widths(page)
    page.get_by_role("link", name=f"差评整改 #{rect_pk}", exact=True).click()
    assert "窗口人员态度冷淡" in page.locator("main").inner_text()
    assert "139****5678" in page.locator("#rater").inner_text()
    both_widths(page)

    page.get_by_label("回访记录").fill("电话回访：评价人反映窗口人员答复生硬")
    page.get_by_role("button", name="记录回访").click()
    assert "已回访" in page.locator("#rect-status").inner_text()
    page.get_by_label("属实", exact=True).check()
    page.get_by_role("button", name="提交核实结论").click()
    assert "整改中" in page.locator("#rect-status").inner_text()
    page.get_by_label("整改措施").fill("对窗口人员进行服务规范培训，纳入月度考核")
    page.get_by_label("答复评价人").fill("经核实属实，已整改，感谢您的监督")
    both_widths(page)
    page.get_by_role("button", name="整改并答复").click()
    page.wait_for_load_state()
    assert any("办结" in m for m in asked), asked  # the confirmation before closing
    assert "已办结（按期）" in page.locator("#rect-status").inner_text()
    steps = page.locator("#rect-steps").inner_text()
    assert "回访" in steps and "核实属实" in steps and "整改并答复" in steps
    logout(page)

    login(page, "admin")
    page.get_by_role("link", name=re.compile(r"^差评整改（\d+）")).click()
    row = page.locator("#rect-table tr", has_text=f"差评整改 #{rect_pk}")
    assert "已办结（按期）" in row.inner_text()
    row.get_by_role("link").click()
    assert "已办结（按期）" in page.locator("#rect-status").inner_text()
    assert page.locator("#rater").count() == 0  # the rater is shown to the hall manager only
    both_widths(page)
