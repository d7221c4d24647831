"""A clerk starts the day from the workbench without typing an address: clocks in,
opens a window, calls the next ticket and finishes it with a case. Meanwhile the
branch manager's workbench shows the waiting count change live (htmx poll)."""

import os
import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, login

HALL = "HC-MZ"
SHOTS = Path(os.environ.get("GOVHALL_SHOTS") or Path(tempfile.gettempdir()) / "govhall-shots")


@pytest.fixture(scope="module")
def hall_open(server):
    server.manage("load_demo_queueing")
    server.manage(
        "shell", "-c", f"from govhall.queueing.demo import hall_open_all_day; hall_open_all_day(['{HALL}'])"
    )
    out = server.manage(
        "shell",
        "-c",
        f"from govhall.centers.models import Center; print(Center.objects.get(code='{HALL}').pk)",
    )
    return int(out.strip().splitlines()[-1])


def _watch_console(page) -> list[str]:
    """Console errors and failed requests of `page` (the browser's own favicon probe aside)."""
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return errors


def _new_page(browser, server):
    context = browser.new_context(locale="zh-CN", base_url=server.base_url)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.on("dialog", lambda dialog: dialog.accept())
    return pg


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((390, 844), (1366, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _take_at_kiosk(page) -> str:
    page.goto(f"/kiosk/{HALL}/")
    page.get_by_role("button", name="结婚登记 取号").click()
    page.wait_for_url(re.compile(r"/tickets/[^/]+/"))
    return page.locator("#ticket-code").inner_text().strip()


def test_clerk_starts_work_from_the_workbench_and_the_manager_sees_waiting_live(browser, server, hall_open):
    manager = _new_page(browser, server)
    clerk = _new_page(browser, server)
    kiosk = _new_page(browser, server)
    manager_errors, clerk_errors = _watch_console(manager), _watch_console(clerk)

    # The manager's workbench: the hall's waiting count, polled.
    login(manager, "manager_mz")
    waiting = manager.locator(f"#hall-waiting-{hall_open} .waiting-count")
    before = int(waiting.inner_text())
    assert_accessible(manager)
    _shoot(manager, "workbench-manager")

    # The clerk logs in and lands on the workbench: clock in there.
    login(clerk, "clerk_mz")  # window 1's A post
    assert_accessible(clerk)
    if clerk.locator("#workbench-clock").inner_text().strip() == "签到":  # other tests may have clocked in
        clerk.locator("#workbench-clock").click()
        clerk.wait_for_url("**/staff/")
    expect(clerk.locator("#my-attendance")).to_contain_text("签到")
    expect(clerk.locator("#workbench-clock")).to_have_text("签退")
    _shoot(clerk, "workbench-clerk")

    # A citizen takes a number: the manager's count rises without a reload.
    code = _take_at_kiosk(kiosk)
    expect(waiting).to_have_text(str(before + 1), timeout=8000)

    # From the workbench to the console, open a window, call until our number comes.
    clerk.locator("#workbench-console").click()
    clerk.wait_for_url("**/staff/queue/")
    if clerk.locator("#current-ticket").count():  # an earlier test left a ticket at the window
        clerk.get_by_role("button", name="办结", exact=True).click()
    if not clerk.get_by_role("button", name="叫下一位").count():
        clerk.get_by_role("button", name="开 1 号窗口").click()
    expect(clerk.get_by_role("button", name="叫下一位")).to_be_visible()
    for _ in range(15):
        clerk.get_by_role("button", name="叫下一位").click()
        expect(clerk.locator("#current-ticket")).to_be_visible()
        if clerk.locator("#current-ticket").inner_text().strip() == code:
            break
        clerk.get_by_role("button", name="办结", exact=True).click()
        expect(clerk.get_by_role("button", name="叫下一位")).to_be_visible()
    else:
        raise AssertionError(f"{code} was never called")
    # Taken from the queue: the manager's count falls back, live.
    expect(waiting).to_have_text(str(before), timeout=8000)

    # Finish the ticket with a case.
    clerk.get_by_role("link", name="办结并收件（创建办件）").click()
    expect(clerk.locator("#serving-ticket")).to_contain_text(code)
    clerk.get_by_label("办理事项").select_option(label="结婚登记")  # items by name (devices17)
    clerk.get_by_role("button", name="列出材料").click()
    clerk.get_by_label("申请人姓名或单位名称").fill("王工作台")
    clerk.get_by_label("证件号码").fill("110105199001011232")
    clerk.get_by_label(re.compile(r"^联系电话")).fill("13955550077")
    if clerk.get_by_label("另一方当事人姓名").count():
        clerk.get_by_label("另一方当事人姓名").fill("周工作台")
        clerk.get_by_label("另一方公民身份号码").fill("110105199102031849")
        clerk.get_by_label("另一方联系电话").fill("13800000077")
    boxes = clerk.locator("input[name=materials]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    with clerk.expect_navigation():
        clerk.get_by_role("button", name=f"办结 {code} 号并收件").click()
    assert re.search(r"/staff/cases/[^/]+/$", clerk.url), clerk.url

    # Back on the workbench, the window is open and the new case counts among mine.
    clerk.get_by_role("link", name="工作台").first.click()
    expect(clerk.locator("#my-window")).to_contain_text("开放")
    assert_accessible(clerk)
    manager.reload()
    assert_accessible(manager)
    assert not manager_errors, manager_errors
    assert not clerk_errors, clerk_errors
