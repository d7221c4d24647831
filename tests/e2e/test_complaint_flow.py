"""A complaint submitted on the public page reaches the district office, not the
clerk it names; it is handled through every step; the complainant sees the
answer by tracking number."""

import re

from .conftest import assert_accessible, login, logout

PHONE = "13912340000"


def test_complaint_reaches_the_district_office_not_the_clerk_and_is_answered(page, server):
    page.on("dialog", lambda d: d.accept())
    page.goto("/")
    page.get_by_role("link", name="评价与投诉").click()  # the header's journey (issue 17)
    page.get_by_role("link", name="我要投诉").click()
    page.get_by_label("所涉中心").select_option(label="合川区政务服务中心婚姻登记分中心")
    page.get_by_label("投诉对象").select_option(label="工作人员")
    page.get_by_label("被投诉人工号").fill("clerk_mz")
    page.get_by_label("投诉内容").fill("窗口人员推诿，让我跑了三次")
    page.get_by_label("联系电话").fill(PHONE)
    assert_accessible(page)
    page.get_by_role("button", name="提交投诉").click()
    number = page.locator("#complaint-number").inner_text()
    assert re.fullmatch(r"TS\d{10}", number)

    login(page, "clerk_mz")
    page.goto("/staff/complaints/")
    assert number not in page.locator("main").inner_text()
    r = page.goto(f"/staff/complaints/{number}/")
    assert r is not None and r.status == 404
    page.goto("/staff/")
    logout(page)

    login(page, "admin")
    page.get_by_role("link", name="效能投诉").click()
    page.get_by_role("link", name=number).click()
    assert_accessible(page)
    page.get_by_role("button", name="受理", exact=True).click()
    page.get_by_label("调查情况").fill("调取录像，情况属实")
    page.get_by_role("button", name="记录调查情况").click()
    page.get_by_label("投诉是否成立").select_option("upheld")
    page.get_by_label("处置措施").fill("批评教育，记入月度考核")
    page.get_by_role("button", name="处置", exact=True).click()
    page.get_by_label("答复投诉人").fill("经查属实，已对当事人批评教育，感谢监督")
    page.get_by_role("button", name="反馈投诉人").click()
    page.get_by_role("button", name="归档").click()
    assert "已归档" in page.locator("#complaint-status").inner_text()
    logout(page)

    page.goto("/")
    page.get_by_role("link", name="评价与投诉").click()
    page.get_by_role("link", name="查询投诉").click()
    page.get_by_label("投诉编号").fill(number)
    page.get_by_label("投诉时填写的电话").fill(PHONE)
    page.get_by_role("button", name="查询").click()
    assert "感谢监督" in page.locator("#complaint-answer").inner_text()
    assert PHONE not in page.content()
    assert_accessible(page)
