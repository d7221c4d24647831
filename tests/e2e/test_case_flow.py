"""A citizen applies online for 结婚登记 with one material missing; the clerk
issues a one-time notice; the citizen hands in the material; the clerk
accepts, completes and delivers; the citizen sees each step and downloads the notices."""

import re
import time

from .conftest import assert_accessible, login, logout

PHONE = "13955550001"
PDF = b"%PDF-1.4\n% e2e\n"


def _sms_code(server) -> str:
    for _ in range(50):
        found = re.findall(r"验证码是 (\d{6})", server.log.read_text())
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError("no SMS code in the server log")


def _item_code(server) -> str:
    out = server.manage("shell", "-c", "from govhall.catalog.models import ServiceItem;"
                        "print(ServiceItem.objects.get(center__code='HC-MZ', name='结婚登记').code)")
    return out.strip().splitlines()[-1]


def test_online_marriage_application_with_one_time_notice(page, server, tmp_path):
    server.manage("load_demo_catalog")
    code = _item_code(server)
    pdf = tmp_path / "id.pdf"
    pdf.write_bytes(PDF)

    # The citizen registers with an SMS code.
    page.goto("/my/register/")
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("短信验证码").fill(_sms_code(server))
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_label("设置密码（至少 10 位）").fill("citizen-pass-2026x")
    page.get_by_role("button", name="注册").click()
    page.wait_for_url("**/my/")

    # Applies, uploading every material but the last.
    page.goto(f"/apply/{code}/")
    assert_accessible(page)
    page.get_by_label("申请人姓名或单位名称").fill("王演示")
    page.get_by_label("证件号码").fill("110105199001011232")
    page.get_by_label("联系电话").fill(PHONE)
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/my/cases/*/")
    case_url = page.url
    options = page.locator("#f-material option").all_text_contents()[1:]
    for name in options[:-1]:
        page.get_by_label("对应材料").select_option(label=name)
        page.get_by_label("文件（PDF、JPG、PNG，不超过 10 MB）").set_input_files(str(pdf))
        page.get_by_role("button", name="上传").click()
        page.wait_for_load_state()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_load_state()
    number = page.locator("dd").first.inner_text().strip()
    assert number.startswith("HC-MZ-")
    assert_accessible(page)
    logout(page)

    # The clerk names the missing material in a one-time notice.
    login(page, "clerk_mz")
    page.goto(f"/staff/cases/{number}/")
    assert_accessible(page)
    last = options[-1]
    form = page.locator("form", has=page.get_by_role("heading", name="一次性告知补正"))
    form.get_by_label(last).check()
    form.locator("input[name^=reason_]").last.fill("须双方当场签名")
    form.get_by_role("button", name="出具一次性告知书").click()
    page.wait_for_load_state()
    assert "待补正" in page.locator("#case-status").inner_text()
    logout(page)

    # The citizen sees the notice and hands in the material.
    page.goto("/my/login/")
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_label("密码").fill("citizen-pass-2026x")
    page.get_by_role("button", name="登录").click()
    page.goto(case_url)
    assert last in page.get_by_role("region", name="一次性告知：请补正以下材料").inner_text()
    page.get_by_label("对应材料").select_option(label=last)
    page.get_by_label("文件（PDF、JPG、PNG，不超过 10 MB）").set_input_files(str(pdf))
    page.get_by_role("button", name="上传").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="补正后重新提交").click()
    page.wait_for_load_state()
    logout(page)

    # The clerk accepts, completes and delivers.
    login(page, "clerk_mz")
    page.goto(f"/staff/cases/{number}/")
    page.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_load_state()
    page.get_by_role("button", name="办结", exact=True).click()
    page.wait_for_load_state()
    page.get_by_role("button", name="送达", exact=True).click()
    page.wait_for_load_state()
    assert "已送达" in page.locator("#case-status").inner_text()
    logout(page)

    # The citizen tracks it by number and phone, sees every step and downloads the notices.
    page.goto("/track/")
    page.get_by_label("办件编号").fill(number)
    page.get_by_label("申请时填写的手机号").fill(PHONE)
    page.get_by_role("button", name="查询").click()
    text = page.locator("main").inner_text()
    for step in ("提交申请", "一次性告知补正", "受理", "办结", "送达"):
        assert step in text
    assert_accessible(page)
    links = page.get_by_role("link", name="下载 PDF")
    assert links.count() == 3
    response = page.request.get(links.first.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF")
