"""A citizen applies online for 结婚登记 with one material missing; the clerk
issues a one-time notice; the citizen hands in the material; the clerk
accepts, completes and delivers; the citizen sees each step and downloads the notices."""

import re
import time

from playwright.sync_api import expect

from .conftest import assert_accessible, login, logout

PHONE = "13955550001"
PASSWORD = "citizen-pass-2026x"
PDF = b"%PDF-1.4\n% e2e\n"
FILE_LABEL = "文件（PDF、JPG、PNG，不超过 10 MB）"
STEPS = ["提交申请", "一次性告知补正", "提交申请", "受理", "办结", "送达"]
NOTICES = ["一次性告知书", "受理通知书", "办结通知"]


def _sms_code(server) -> str:
    for _ in range(50):
        found = re.findall(r"验证码是 (\d{6})", server.log.read_text())
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError("no SMS code in the server log")


def _item_code(server) -> str:
    out = server.manage(
        "shell",
        "-c",
        "from govhall.catalog.models import ServiceItem;"
        "print(ServiceItem.objects.get(center__code='HC-MZ', name='结婚登记').code)",
    )
    return out.strip().splitlines()[-1]


def _submit(page, button) -> None:
    """Click a submit button and wait for the page the server answers with."""
    with page.expect_navigation():
        button.click()


def _upload(page, material: str, path) -> None:
    page.get_by_label("对应材料").select_option(label=material)
    page.get_by_label(FILE_LABEL).set_input_files(str(path))
    _submit(page, page.get_by_role("button", name="上传"))
    expect(_material_row(page, material)).to_contain_text("：已提交")


def _material_row(page, material: str):
    """The material's line in the material list ("居民户口簿（可共享获取，免提交）：已提交")."""
    return (
        page.locator("#case-materials li")
        .filter(has_text=re.compile(rf"^{re.escape(material)}(（[^）]*）)?："))
        .first
    )


def _steps(page) -> list[str]:
    """The step labels of #case-steps, in order ("2026-11-25 10:00 受理：…" → "受理")."""
    items = page.locator("#case-steps li").all_inner_texts()
    return [re.split(r"[：:]", text.strip().split(" ", 2)[2])[0] for text in items]


def _notices_downloadable(page) -> None:
    """Every notice is listed and its PDF downloads."""
    notices = page.locator("#case-notices li")
    expect(notices).to_have_count(len(NOTICES))
    listed = notices.all_inner_texts()
    for kind in NOTICES:
        assert any(text.startswith(kind) for text in listed), (kind, listed)
    links = page.locator("#case-notices").get_by_role("link", name="下载 PDF")
    assert links.count() == len(NOTICES)
    for i in range(links.count()):
        response = page.request.get(links.nth(i).get_attribute("href"))
        assert response.ok, response.status
        assert response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF")


def _citizen_login(page) -> None:
    page.goto("/my/login/")
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_label("密码").fill(PASSWORD)
    _submit(page, page.get_by_role("button", name="登录"))


def test_online_marriage_application_with_one_time_notice(page, server, tmp_path):
    code = _item_code(server)
    pdf = tmp_path / "id.pdf"
    pdf.write_bytes(PDF)

    # The citizen registers with an SMS code.
    page.goto("/my/register/")
    assert_accessible(page)
    page.get_by_label("手机号").fill(PHONE)
    _submit(page, page.get_by_role("button", name="获取验证码"))
    page.get_by_label("短信验证码").fill(_sms_code(server))
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_label("设置密码（至少 10 位）").fill(PASSWORD)
    page.get_by_role("button", name="注册").click()
    page.wait_for_url("**/my/")

    # Applies for 结婚登记, uploading every material but the last.
    page.goto(f"/apply/{code}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("结婚登记")
    assert_accessible(page)
    page.get_by_label("申请人姓名或单位名称").fill("王演示")
    page.get_by_label("证件号码").fill("110105199001011232")
    page.get_by_label(re.compile(r"^联系电话")).fill(PHONE)
    # Both parties apply for a marriage (婚姻登记条例): the other party too.
    page.get_by_label("另一方当事人姓名").fill("周演示")
    page.get_by_label("另一方公民身份号码").fill("110105199102031849")
    page.get_by_label("另一方联系电话").fill("13800000011")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(r"/my/cases/\d+/$"))
    case_url = page.url
    options = page.locator("#f-material option").all_text_contents()[1:]
    assert len(options) >= 2, options
    *handed, last = options
    for name in handed:
        _upload(page, name, pdf)
    expect(_material_row(page, last)).to_contain_text("：未提交")
    _submit(page, page.get_by_role("button", name="提交申请"))
    expect(page.locator("#case-status")).to_have_text("已提交，待受理")
    number = page.locator("dd").first.inner_text().strip()
    assert re.fullmatch(r"HC-MZ-\d{8}-\d{4}", number), number
    assert _steps(page) == STEPS[:1]
    assert_accessible(page)
    logout(page)

    # The clerk names the missing material in a one-time notice; a reason is required.
    login(page, "clerk_mz")
    page.goto(f"/staff/cases/{number}/")
    expect(_material_row(page, last)).to_contain_text("：未提交")
    assert_accessible(page)
    form = page.locator("form", has=page.get_by_role("heading", name="一次性告知补正"))
    form.get_by_label(last).check()
    _submit(page, form.get_by_role("button", name="出具一次性告知书"))
    expect(page.get_by_role("alert")).to_contain_text(f"请说明“{last}”")
    expect(page.locator("#case-status")).to_have_text("已提交，待受理")
    assert_accessible(page)
    form = page.locator("form", has=page.get_by_role("heading", name="一次性告知补正"))
    form.get_by_label(last).check()
    form.get_by_label("具体说明").last.fill("须双方当场签名")
    _submit(page, form.get_by_role("button", name="出具一次性告知书"))
    expect(page.locator("#case-status")).to_have_text("待补正")
    logout(page)

    # The citizen sees the notice, hands in the material and resubmits.
    _citizen_login(page)
    page.goto(case_url)
    expect(page.locator("#case-status")).to_have_text("待补正")
    notice = page.get_by_role("region", name="一次性告知：请补正以下材料")
    expect(notice).to_contain_text(last)
    expect(notice).to_contain_text("须双方当场签名")
    assert _steps(page) == STEPS[:2]
    assert_accessible(page)
    _submit(page, page.get_by_role("button", name="补正后重新提交"))  # nothing new handed in yet: refused
    expect(page.locator("#f-file-error")).to_contain_text("请先按一次性告知书上传补正材料")
    expect(page.get_by_label(FILE_LABEL)).to_have_attribute("aria-describedby", "f-file-error")
    expect(page.locator("#case-status")).to_have_text("待补正")
    _upload(page, last, pdf)
    _submit(page, page.get_by_role("button", name="补正后重新提交"))
    expect(page.locator("#case-status")).to_have_text("已提交，待受理")
    logout(page)

    # The clerk accepts, completes and delivers.
    login(page, "clerk_mz")
    page.goto(f"/staff/cases/{number}/")
    for button, status in (("受理", "已受理"), ("办结", "已办结"), ("送达", "已送达")):
        _submit(page, page.get_by_role("button", name=button, exact=True))
        expect(page.locator("#case-status")).to_have_text(status)
    assert_accessible(page)
    logout(page)

    # The citizen sees every step on their own page and downloads the notices.
    _citizen_login(page)
    page.goto(case_url)
    expect(page.locator("#case-status")).to_have_text("已送达")
    assert _steps(page) == STEPS
    _notices_downloadable(page)
    page.locator("#case-notices").get_by_role("link", name="查看").first.click()
    expect(page.locator("main")).to_contain_text(last)  # the printable one-time notice names the material
    logout(page)

    # Anyone with the number and the phone can track it and download the notices.
    page.goto("/track/")
    page.get_by_label("办件编号").fill(number)
    page.get_by_label("申请时填写的手机号").fill(PHONE)
    _submit(page, page.get_by_role("button", name="查询"))
    expect(page.locator("#case-status")).to_have_text("已送达")
    assert _steps(page) == STEPS
    _notices_downloadable(page)
    assert_accessible(page)


def test_tracking_refuses_a_wrong_phone(page, server):
    number = server.manage(
        "shell",
        "-c",
        "from govhall.cases.models import Case;"
        "print(Case.objects.filter(is_demo=True).exclude(number=None).first().number)",
    )
    page.goto("/track/")
    page.get_by_label("办件编号").fill(number.strip().splitlines()[-1])
    page.get_by_label("申请时填写的手机号").fill("13900000000")
    _submit(page, page.get_by_role("button", name="查询"))
    expect(page.get_by_role("alert")).to_contain_text("没有找到办件")
    expect(page.locator("#case-status")).to_have_count(0)
    assert_accessible(page)
