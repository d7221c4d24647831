"""Browser: the district's feedback deadlines and the staff complaint form, at a
phone's and a desktop's width — reached by clicking from the workbench, errors
next to the field, no axe violations, nothing overflowing sideways."""

import re

import pytest

from .conftest import assert_accessible, login, logout


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", [390, 1366])
def test_feedback_deadlines_and_staff_complaint_pages(page, server, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "admin")
    page.get_by_role("link", name="好差评与投诉时限").click()
    page.wait_for_url("**/staff/district/feedback-deadlines/")
    assert_accessible(page)
    _no_sideways_scroll(page)
    page.get_by_label("投诉反馈时限（工作日）").fill("0")
    page.get_by_role("button", name="保存").click()
    assert "1 至 60" in page.locator("#id_complaint_reply_days-error").inner_text()
    assert_accessible(page)
    page.get_by_label("投诉反馈时限（工作日）").fill("8")
    page.get_by_role("button", name="保存").click()
    assert "投诉反馈 8 个工作日" in page.locator("main").inner_text()
    page.goto("/staff/")
    logout(page)

    login(page, "clerk_mz")
    page.get_by_role("link", name="办不成事反映", exact=True).click()
    page.get_by_role("link", name="登记投诉（窗口、电话）").click()
    page.wait_for_url("**/staff/complaints/record/")
    assert_accessible(page)
    _no_sideways_scroll(page)
    page.get_by_label("受理渠道").select_option("phone")
    page.get_by_label("投诉对象").select_option("hall")
    page.get_by_label("投诉内容").fill("电话反映：大厅排队时间太长")
    page.get_by_label("投诉人联系电话").fill("123")
    page.get_by_role("button", name="登记投诉").click()
    assert "手机号" in page.locator("#id_phone-error").inner_text()
    assert_accessible(page)
    page.get_by_label("投诉人联系电话").fill("13912340001")
    page.get_by_role("button", name="登记投诉").click()
    assert re.fullmatch(r"TS\d{10}", page.locator("#complaint-number").inner_text())
    assert "13912340001" not in page.content()
    assert_accessible(page)
    _no_sideways_scroll(page)
