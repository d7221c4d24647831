"""代收代办、收受分离 (issue 18): at the main hall a clerk receives an application for
结婚登记, which 婚姻登记分中心 handles, and hands the materials over; the branch receives
them and accepts the case; the applicant tracks it and sees both halls. The case is
removed at the end, so the other browser tests find the demo halls as they were."""

import re

from playwright.sync_api import expect

from .conftest import assert_accessible, login, logout

PHONE = "13955550018"


def _submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def _demo(server) -> tuple[str, str, str]:
    out = server.manage(
        "shell",
        "-c",
        "from govhall.catalog.models import ServiceItem;from govhall.centers.models import Center;"
        "i=ServiceItem.objects.get(center__code='HC-MZ', name='结婚登记');"
        "print(i.pk, Center.objects.get(code='HC').name, i.center.name, sep='|')",
    )
    pk, hub, branch = out.strip().splitlines()[-1].split("|")
    return pk, hub, branch


def _remove(server, number: str) -> None:
    server.manage(
        "shell",
        "-c",
        "from govhall.cases.models import Case, Notice;"
        f"c=Case.objects.get(number='{number}');Notice.objects.filter(case=c).delete();c.delete()",
    )


def test_main_hall_receives_for_the_marriage_branch_which_accepts(page, server):
    item_pk, hub, branch = _demo(server)
    number = ""
    try:
        # The main hall's clerk receives from the workbench, by clicking.
        login(page, "clerk_hc")
        page.get_by_role("link", name="代收代办").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("代收代办")
        assert_accessible(page)
        page.get_by_role("link", name="代收收件").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("代收收件")
        page.get_by_label("代收事项（其他大厅办理）").select_option(item_pk)
        _submit(page, page.get_by_role("button", name="列出材料"))
        expect(page.get_by_label("代收事项（其他大厅办理）")).to_have_value(item_pk)
        page.get_by_label("申请人姓名或单位名称").fill("王代收")
        page.get_by_label("证件号码").fill("110105199001011232")
        page.get_by_label(re.compile(r"^联系电话")).fill(PHONE)
        page.get_by_label("另一方当事人姓名").fill("周代收")
        page.get_by_label("另一方公民身份号码").fill("110105199102031849")
        page.get_by_label("另一方联系电话").fill("13800000018")
        for box in page.locator("input[name=materials]").all():
            box.check()
        page.get_by_label("收件大厅（本大厅）", exact=True).check()
        assert_accessible(page)
        _submit(page, page.get_by_role("button", name="代收并生成办件编号"))
        expect(page.get_by_role("heading", level=1)).to_contain_text("办件 HC-MZ-")
        number = page.get_by_role("heading", level=1).inner_text().split()[-1]
        panel = page.locator("#handover-panel")
        expect(panel.locator("#case-receiving-hall")).to_have_text(hub)
        expect(panel.locator("#case-handling-hall")).to_have_text(branch)
        expect(page.locator("#case-actions")).not_to_contain_text("受理")  # not the main hall's to decide
        panel.get_by_label("纸质材料").check()
        assert_accessible(page)
        _submit(page, panel.get_by_role("button", name="移交材料"))
        expect(page.locator("#case-handover")).to_contain_text("待办理大厅接收")
        logout(page)

        # The branch finds it among its hand-overs, receives the materials and accepts.
        login(page, "clerk_mz")
        page.get_by_role("link", name="代收代办").first.click()
        page.get_by_label("移交状态").select_option("to_receive")
        _submit(page, page.get_by_role("button", name="筛选"))
        page.get_by_role("link", name=number).click()
        expect(page.locator("#handover-blocked")).to_be_visible()
        assert_accessible(page)
        _submit(page, page.get_by_role("button", name="确认接收"))
        expect(page.locator("#case-handover")).to_contain_text("已接收")
        _submit(page, page.get_by_role("button", name="受理", exact=True))
        expect(page.locator("#case-status")).to_have_text("已受理")
        logout(page)

        # The applicant tracks it: both halls, where to collect, and the hand-over.
        page.goto("/track/")
        page.get_by_label("办件编号").fill(number)
        page.get_by_label("申请时填写的手机号").fill(PHONE)
        _submit(page, page.get_by_role("button", name="查询"))
        expect(page.locator("#case-status")).to_have_text("已受理")
        expect(page.locator("#case-receiving-hall")).to_have_text(hub)
        expect(page.locator("#case-handling-hall")).to_have_text(branch)
        expect(page.locator("#case-pickup")).to_contain_text(hub)
        expect(page.locator("#case-handover")).to_contain_text("已接收")
        assert_accessible(page)
    finally:
        if number:
            _remove(server, number)
