"""Done means (staff): the A clerk of 婚姻登记分中心 window 1 asks for 3 days of
leave; the manager's approval is refused because the B clerk is also away on
day 2; the manager names a trained substitute for day 2 and approves; the
coverage calendar shows B on days 1 and 3 and the substitute on day 2; the B
clerk can open window 1 on day 1, a clerk with no post there cannot."""

import re
from datetime import date, timedelta

import chinese_calendar

from .conftest import assert_accessible, login, logout

B_NAME = "婚姻登记窗口 周强（演示）"
SUB_NAME = "婚姻登记窗口 王芳（演示）"


def opening_days(n: int) -> list[date]:
    """The hall's next n opening days from today (weekday hours; holidays off, make-up days on)."""
    out, day = [], date.today()
    while len(out) < n:
        try:
            workday = chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year the package does not know: the app plans on weekdays too
            workday = day.weekday() < 5
        if workday:
            out.append(day)
        day += timedelta(days=1)
    return out


def ask_leave(page, start: date, end: date, reason: str) -> str:
    page.goto("/staff/staffing/leave/")
    page.get_by_label("假别").select_option(label="年休假")
    page.get_by_label("开始日期").fill(start.isoformat())
    page.get_by_label("结束日期").fill(end.isoformat())
    page.get_by_label("事由").fill(reason)
    page.get_by_role("button", name="提交请假").click()
    page.wait_for_url("**/staff/staffing/leave/*/")
    return page.url


def test_leave_refused_for_a_gap_then_approved_with_a_substitute(page, server):
    server.manage("load_demo_queueing")
    server.manage("load_demo_staffing")
    day1, day2, day3 = opening_days(3)

    # The B clerk of window 1 is away on day 2 (approved while the A clerk is still there).
    login(page, "clerk_mz_b")
    b_leave = ask_leave(page, day2, day2, "体检")
    logout(page)
    login(page, "manager_mz")
    page.goto(b_leave)
    page.get_by_role("button", name="批准", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#leave-status").inner_text() in ("已批准", "休假中")
    logout(page)

    # The A clerk asks for day 1 to day 3.
    login(page, "clerk_mz")
    page.goto("/staff/staffing/leave/")
    assert_accessible(page)
    a_leave = ask_leave(page, day1, day3, "回老家探亲")
    assert re.search(r"3(\.0)? 个工作日", page.locator("main").inner_text())
    logout(page)

    # The manager's approval is refused: nobody at window 1 on day 2.
    login(page, "manager_mz")
    page.goto(a_leave)
    page.get_by_role("button", name="批准", exact=True).click()
    page.wait_for_load_state()
    error = page.locator("#approve-error").inner_text()
    assert "无人值守" in error and f"{day2:%m月%d日}" in error and "1号窗口" in error
    assert page.locator("#leave-status").inner_text() == "待审批"
    assert_accessible(page)

    # A trained substitute is named for day 2, and the leave goes through.
    page.get_by_label(f"{day2:%m月%d日} 1号窗口 顶岗人员").select_option(label=SUB_NAME)
    page.get_by_role("button", name="批准", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("#leave-status").inner_text() in ("已批准", "休假中")
    assert SUB_NAME in page.locator("main").inner_text()

    # The coverage calendar: B on days 1 and 3, the substitute on day 2.
    page.goto("/staff/staffing/")
    row = page.locator("tr", has_text="婚姻登记分中心")
    row.get_by_role("link", name="值守日历").click()
    page.wait_for_load_state()
    page.goto(page.url.split("?")[0] + f"?start={day1.isoformat()}")
    assert_accessible(page)

    def cell(day):
        return page.locator(f'td[data-day="{day.isoformat()}"][data-window="1"]').inner_text()

    assert B_NAME in cell(day1) and "（B）" in cell(day1)
    assert SUB_NAME in cell(day2) and "顶岗" in cell(day2)
    assert B_NAME in cell(day3) and "（B）" in cell(day3)
    logout(page)

    # A clerk with no post at window 1 cannot open it; the B clerk can (day 1 is today when today is an
    # opening day; on a closed day the window's A or B may open it for extra service).
    login(page, "clerk_mz_c")
    page.goto("/staff/queue/")
    page.get_by_role("button", name="开 1 号窗口").click()
    page.wait_for_load_state()
    # Refused: the 403 page with the reason, and the way back to the workbench.
    assert "不能操作此窗口" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="返回工作台").is_visible()
    logout(page)

    login(page, "clerk_mz_b")
    page.goto("/staff/queue/")
    page.get_by_role("button", name="开 1 号窗口").click()
    page.wait_for_load_state()
    assert "已开窗" in page.locator("main").inner_text()
    page.get_by_role("button", name="关窗").click()
    page.wait_for_load_state()
    logout(page)

    if day1 == date.today():
        # 销假 from this afternoon, so later tests find the A clerk at window 1 again.
        login(page, "clerk_mz")
        page.goto(a_leave)
        page.get_by_label("返岗日期").fill(day1.isoformat())
        page.get_by_label("自下午返岗").check()
        page.get_by_role("button", name="销假").click()
        page.wait_for_load_state()
        assert page.locator("#leave-status").inner_text() == "已销假"
