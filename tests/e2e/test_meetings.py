"""联席会议 in the browser: the district office convenes a joint meeting of two branches
from the workbench, records attendance, the minutes and a decision owned by one branch
with a due date; that branch's manager finds it on the workbench and closes it with
evidence (after a confirmation); the district office then sees it closed. Axe-clean."""

import time
from datetime import date, timedelta

from .conftest import assert_accessible, login, logout

MZ = "合川区政务服务中心婚姻登记分中心"
RS = "合川区政务服务中心人力社保分中心"


def test_district_convenes_and_the_branch_closes_its_action_item(page):
    asked: list[str] = []
    page.on("dialog", lambda d: asked.append(d.message))
    stamp = time.strftime("%H%M%S")
    title = f"婚姻登记分中心增设无障碍坡道 {stamp}"
    login(page, "admin")
    page.get_by_role("navigation", name="工作台导航").get_by_role("link", name="联席会议", exact=True).click()
    page.wait_for_url("**/staff/meetings/")
    assert_accessible(page)
    page.get_by_role("link", name="召集联席会议").click()
    page.get_by_label("会议名称").fill(f"分中心联席会议 {stamp}")
    page.get_by_label("召开时间").fill((date.today() + timedelta(days=1)).isoformat() + "T09:30")
    page.get_by_label("地点").fill("区政务服务中心三楼会议室")
    page.get_by_label("议程").fill("一、通报上月办件情况\n二、部署无障碍设施建设")
    page.get_by_label(MZ, exact=True).check()
    page.get_by_label(RS, exact=True).check()
    assert_accessible(page)
    page.get_by_role("button", name="召集会议").click()
    page.wait_for_url("**/staff/meetings/*/")
    assert "已通知" in page.locator("#meeting-status").inner_text()
    assert_accessible(page)

    page.get_by_label(f"{MZ} 出席情况").select_option("present")
    page.get_by_label(f"{MZ} 参会人").fill("陈科长")
    page.get_by_label(f"{RS} 出席情况").select_option("excused")
    page.get_by_role("button", name="保存出席情况").click()
    page.wait_for_load_state()
    assert page.get_by_label(f"{MZ} 参会人").input_value() == "陈科长"
    page.get_by_role("textbox", name="会议纪要").fill("会议议定：婚姻登记分中心月底前完成无障碍坡道改造。")
    page.get_by_role("button", name="保存会议纪要").click()
    page.wait_for_load_state()
    assert "已召开" in page.locator("#meeting-status").inner_text()

    # A decision with no owner is refused next to the field; then with the branch as owner.
    page.get_by_label("议定事项", exact=True).fill(title)
    page.get_by_label("完成期限").fill((date.today() + timedelta(days=20)).isoformat())
    page.get_by_role("button", name="录入议定事项").click()
    assert "三选一" in page.locator("main").inner_text()
    page.get_by_label("议定事项", exact=True).fill(title)
    page.get_by_label("责任中心").select_option(label=MZ)
    page.get_by_label("完成期限").fill((date.today() + timedelta(days=20)).isoformat())
    page.get_by_role("button", name="录入议定事项").click()
    page.wait_for_load_state()
    assert title in page.locator("#item-table").inner_text()
    assert_accessible(page)
    logout(page)

    login(page, "manager_mz")
    page.get_by_role("link", name=title, exact=False).first.click()
    page.wait_for_url("**/staff/action-items/*/")
    assert "办理中" in page.locator("#item-status").inner_text()
    assert_accessible(page)
    page.get_by_label("办结佐证（做了什么、结果如何）").fill("已完成无障碍坡道改造并通过验收")
    page.get_by_role("button", name="办结销号").click()
    page.wait_for_load_state()
    assert any("销号" in m for m in asked), asked  # the confirmation before closing
    assert "已销号" in page.locator("#item-status").inner_text()
    assert "已完成无障碍坡道改造" in page.locator("#item-evidence").inner_text()
    assert "办结销号" in page.locator("#item-history").inner_text()
    assert_accessible(page)
    logout(page)

    login(page, "admin")
    page.get_by_role("link", name="议定事项督办（", exact=False).first.click()
    page.wait_for_url("**/staff/action-items/")
    page.get_by_label("搜索").fill(stamp)
    page.get_by_role("button", name="筛选").click()
    row = page.locator("#action-item-table tr", has_text=title)
    assert "已销号" in row.inner_text()
    assert_accessible(page)
