"""信息沟通 in the browser: the district office sends a notice to every branch's
manager (after a confirmation), one manager reads it from the workbench, and the
sender's tracking page shows who has not read it; 一键提醒 asks first. Axe-clean.
The notice is deleted at the end, so other browser tests find the halls as before."""

import re

import pytest

from .conftest import assert_accessible, login, logout

TITLE = "关于做好年底窗口服务保障的通知（浏览器测试）"


@pytest.fixture
def cleanup(server):
    yield
    server.manage(
        "shell",
        "-c",
        f"from govhall.coordination.models import Notice; Notice.objects.filter(title='{TITLE}').delete()",
    )


def test_notice_to_all_branches_read_by_one_and_the_sender_sees_who_has_not(page, cleanup):
    asked: list[str] = []
    page.on("dialog", lambda d: asked.append(d.message))
    login(page, "admin")
    page.get_by_role("link", name="发通知", exact=True).click()
    page.wait_for_url("**/staff/notices/new/")
    assert_accessible(page)
    page.get_by_label("通知（区政务办→各大厅）").check()
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("正文").fill("各分中心：请做好年底窗口服务保障工作，确保不断档。")
    page.get_by_label("全部大厅", exact=True).check()
    page.get_by_label("分中心负责人").check()
    page.get_by_role("button", name="发送").click()
    page.wait_for_url(re.compile(r".*/staff/notices/\d+/track/$"))
    assert any("不能撤回" in m for m in asked), asked
    total = int(page.locator("#fig-total").inner_text())
    assert total >= 2
    assert page.locator("#fig-read").inner_text() == "0"
    assert_accessible(page)
    logout(page)

    login(page, "manager_mz")
    page.get_by_role("link", name=re.compile(r"^未读通知（\d+）")).click()
    page.get_by_role("link", name=TITLE).click()
    assert "确保不断档" in page.locator("#notice-body").inner_text()
    assert page.locator("#my-read-at").inner_text().strip()
    assert_accessible(page)
    logout(page)

    login(page, "admin")
    page.get_by_role("link", name="已发出（阅读与回复情况）").click()
    row = page.locator("#sent-table tr", has_text=TITLE)
    assert f"1 / {total}" in row.inner_text()
    row.get_by_role("link", name=re.compile("谁未读")).click()
    assert page.locator("#fig-read").inner_text() == "1"
    assert page.locator("#fig-unread").inner_text() == str(total - 1)
    page.get_by_label("状态").select_option("unread")
    page.get_by_role("button", name="筛选").click()
    unread = page.locator("#receipt-table tbody").inner_text()
    assert unread.count("未读") == total - 1
    assert_accessible(page)
    page.get_by_role("button", name="一键提醒").click()
    page.wait_for_load_state()
    assert any("短信提醒" in m for m in asked), asked
    assert re.search(r"已向 \d+ 位", page.locator("main").inner_text())
