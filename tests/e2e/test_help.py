"""帮办代办 from the kiosk to the helper's workbench, and the hall's printable 公示公开."""

import re

from playwright.sync_api import expect

from .conftest import assert_accessible, login, logout

HALL = "HC-MZ"
PHONE = "13912348765"


def test_kiosk_request_is_assigned_handled_and_closed_by_its_helper(page, server):
    page.goto(f"/kiosk/{HALL}/")
    page.get_by_role("link", name="申请帮办代办").click()
    page.get_by_label("帮办").check()
    page.get_by_label("老年人").check()
    page.get_by_label("姓名（或企业名称）").fill("张奶奶")
    page.get_by_label("联系电话").fill(PHONE)
    page.get_by_label("想办的事").fill("社保卡挂失补办")
    assert_accessible(page)
    page.get_by_role("button", name="提交申请").click()
    receipt = page.locator("#help-receipt").inner_text()
    number = re.search(r"BD\d{10}", receipt).group(0)  # type: ignore[union-attr]

    login(page, "manager_mz")
    page.get_by_role("link", name="帮办代办", exact=True).first.click()
    assert PHONE not in page.content() and "139****8765" in page.content()
    assert_accessible(page)
    page.get_by_role("link", name=number).click()
    page.locator("#id_assign-helper").select_option(index=1)
    page.get_by_role("button", name="分派").click()
    expect(page.locator("#help-status")).to_have_text("办理中")
    page.locator("#id_step-note").fill("已电话联系，约定明天上午陪同办理")
    page.get_by_role("button", name="记录", exact=True).click()
    expect(page.locator("#help-steps")).to_contain_text("约定明天上午陪同办理")
    assert_accessible(page)
    page.locator("#id_close-result").fill("已陪同办结社保卡补办")
    page.get_by_role("button", name="办结").click()  # data-confirm: accepted by the fixture
    expect(page.locator("#help-status")).to_have_text("已办结")
    logout(page)


def test_disclosure_page_from_the_hall_page_is_accessible_and_printable(page, server):
    page.goto(f"/centers/{HALL}/")
    page.get_by_role("link", name=re.compile("本中心公示公开")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("公示公开")
    for name in ("服务机制", "首席代表及授权", "投诉渠道"):
        expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.locator("#fig-tickets")).to_have_text(re.compile(r"^\d+$"))
    assert_accessible(page)
    page.emulate_media(media="print")
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.locator("#disc-figures-table")).to_be_visible()
