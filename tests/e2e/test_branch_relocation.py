"""Done means (foundation): a district administrator files a relocation of
婚姻登记分中心, the approver approves it, and on its effective date the public
page shows the new address."""

from datetime import date, timedelta

from .conftest import assert_accessible, login, logout

NEW_ADDRESS = "合川区钓鱼城街道新华路 88 号（演示新址）"
BRANCH = "合川区政务服务中心婚姻登记分中心"


def test_relocation_filed_approved_and_shown_on_its_effective_date(page, server):
    effective = date.today() + timedelta(days=2)

    login(page, "admin")
    assert_accessible(page)  # the district office's dashboard
    page.goto("/staff/changes/new/")
    page.get_by_label("事项").select_option(label="搬迁")
    page.get_by_label("分中心", exact=True).select_option(label=BRANCH)
    page.get_by_label("新地址").fill(NEW_ADDRESS)
    page.get_by_label("生效日期").fill(effective.isoformat())
    page.get_by_label("事由与内容").fill("原址房屋租约到期，迁往新华路便民服务综合体。")
    assert_accessible(page)
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/staff/changes/*/")
    change_url = page.url
    page.get_by_role("button", name="报送备案").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="备案", exact=True).click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "已备案" in main and "合川区政务备〔" in main
    assert_accessible(page)
    logout(page)

    login(page, "approver")
    page.goto(change_url)
    page.get_by_label("审批意见").fill("同意搬迁。")
    page.get_by_role("button", name="批准", exact=True).click()
    page.wait_for_load_state()
    timeline = page.locator("main").inner_text()
    for step in ("起草", "报送备案", "备案", "批准"):
        assert step in timeline
    assert "已批准" in timeline

    # Before the effective date the public page still shows the old address.
    page.goto("/centers/HC-MZ/")
    assert NEW_ADDRESS not in page.locator("main").inner_text()
    server.manage("apply_due_changes", "--date", (effective - timedelta(days=1)).isoformat())
    page.reload()
    assert NEW_ADDRESS not in page.locator("main").inner_text()

    # The daily job on the effective date applies it.
    out = server.manage("apply_due_changes", "--date", effective.isoformat())
    assert "applied 1 change" in out
    page.goto("/")
    card = page.locator("li.card", has=page.get_by_role("link", name=BRANCH))
    assert NEW_ADDRESS in card.inner_text()
    page.goto(change_url)
    assert "已生效" in page.locator("main").inner_text()


def test_wrong_branch_name_is_shown_next_to_the_field_and_nothing_is_saved(page):
    login(page, "admin")
    page.goto("/staff/changes/new/")
    page.get_by_label("事项").select_option(label="新设")
    page.get_by_label("新设名称").fill("合川区医保服务大厅")
    page.get_by_label("新设编码").fill("HC-YB")
    page.get_by_label("业务主管部门").select_option(label="区人力社保局")
    page.get_by_label("新地址").fill("合川区某路 1 号")
    page.get_by_label("生效日期").fill((date.today() + timedelta(days=10)).isoformat())
    page.get_by_label("事由与内容").fill("新设")
    page.get_by_role("button", name="保存草稿").click()
    field = page.get_by_label("新设名称")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby")
    assert "分中心名称应为" in page.locator(f"#{described.split()[0]}").inner_text()
    assert "/staff/changes/new/" in page.url
    assert_accessible(page)
