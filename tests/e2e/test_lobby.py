"""Browser: the hall's lobby screen follows a new ticket live without a reload, says
so when its connection is lost and recovers by itself; it fits one 1920×1080 and
one 1366×768 screen without scrolling and still reads at 390 px. The district
office opens its big screen from the workbench; a branch manager opens their own
hall's screen but not the district's. Axe clean, no console errors (CSP)."""

import os
import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, login

HALL = "HC-MZ"
SHOTS = os.environ.get("GOVHALL_SHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture(scope="module")
def queueing_demo(server):
    server.manage("load_demo_queueing")
    server.manage(
        "shell", "-c", f"from govhall.queueing.demo import hall_open_all_day; hall_open_all_day(['{HALL}'])"
    )
    return server


def _screen(browser, server, width: int, height: int):
    context = browser.new_context(
        locale="zh-CN", base_url=server.base_url, viewport={"width": width, "height": height}
    )
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    errors: list[str] = []

    def on_console(m) -> None:
        # Only the lobby pages' own errors (the login and workbench pages are other tests'
        # business); the browser's own favicon request is no page's.
        source = (m.location or {}).get("url", "")
        if m.type == "error" and "/lobby/" in pg.url and not source.endswith("/favicon.ico"):
            errors.append(f"{pg.url}: {m.text} ({source})")

    pg.on("console", on_console)
    pg.on("pageerror", lambda e: errors.append(f"{pg.url}: {e}"))
    return context, pg, errors


def _take_at_kiosk(page) -> str:
    page.goto(f"/kiosk/{HALL}/")
    page.get_by_role("button", name="结婚登记 取号").click()
    page.wait_for_url(re.compile(r"/tickets/[^/]+/"))
    return page.locator("#ticket-code").inner_text().strip()


def _taken(page) -> int:
    return int(page.locator("#kpi-taken").inner_text())


def _fits_without_scrolling(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollHeight <= window.innerHeight + 1"
        " && document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


def test_hall_screen_follows_a_new_ticket_live_and_recovers_after_a_lost_connection(
    browser, queueing_demo, page
):
    context, screen, errors = _screen(browser, queueing_demo, 1920, 1080)
    try:
        screen.goto(f"/lobby/{HALL}/")
        expect(screen.locator("h1")).to_contain_text("大厅实况")
        expect(screen.locator("#main")).to_have_attribute("data-conn", "ok")
        expect(screen.locator("#lobby-conn")).to_have_text("实时更新")
        assert "九成群众等候不超过" in screen.locator("#kpi-p90").inner_text() or "还没有叫号" in (
            screen.locator("#kpi-p90").inner_text()
        )
        assert _fits_without_scrolling(screen)
        assert_accessible(screen)
        _shot(screen, "lobby-hall-1920")
        screen.evaluate("window.__sameDocument = true")

        # A ticket taken at the kiosk shows on the screen by itself (the hall's stream).
        before = _taken(screen)
        _take_at_kiosk(page)
        expect(screen.locator("#kpi-taken")).not_to_have_text(str(before))
        assert _taken(screen) >= before + 1

        # The connection drops: the screen says so, and what it shows stays.
        context.set_offline(True)
        expect(screen.locator("#main")).to_have_attribute("data-conn", "lost")
        expect(screen.locator("#lobby-conn")).to_contain_text("连接中断")
        lost_at = _taken(screen)
        _take_at_kiosk(page)  # the hall goes on meanwhile

        # Back online: the screen recovers by itself and catches up, without a reload.
        context.set_offline(False)
        expect(screen.locator("#lobby-conn")).to_contain_text("已恢复连接")
        expect(screen.locator("#main")).to_have_attribute("data-conn", "ok")
        expect(screen.locator("#kpi-taken")).not_to_have_text(str(lost_at))
        assert _taken(screen) >= lost_at + 1
        assert screen.evaluate("window.__sameDocument === true")

        screen.set_viewport_size({"width": 1366, "height": 768})
        assert _fits_without_scrolling(screen)
        _shot(screen, "lobby-hall-1366")
        screen.set_viewport_size({"width": 390, "height": 844})
        expect(screen.locator("#kpi-waiting")).to_be_visible()
        assert screen.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert_accessible(screen)
        _shot(screen, "lobby-hall-390")
        # The offline spell's failed fetches are the network's, not the page's.
        assert not [
            e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e and "Failed to fetch" not in e
        ], errors
    finally:
        context.close()


def test_district_office_opens_the_big_screen_from_the_workbench(browser, queueing_demo):
    context, screen, errors = _screen(browser, queueing_demo, 1920, 1080)
    try:
        login(screen, "admin")
        screen.get_by_role("link", name="各大厅实况大屏").click()
        expect(screen.get_by_role("heading", name="各大厅实况 · 区政务办")).to_be_visible()
        row = screen.locator(f'tr[data-hall="{HALL}"]')
        expect(row).to_be_visible()
        expect(row.locator("td").last).to_have_text(re.compile("^(正常|等候较多)$"))
        expect(screen.locator("#main")).to_have_attribute("data-conn", "ok")
        assert _fits_without_scrolling(screen)
        assert_accessible(screen)
        _shot(screen, "lobby-district-1920")
        screen.set_viewport_size({"width": 1366, "height": 768})
        _shot(screen, "lobby-district-1366")
        screen.set_viewport_size({"width": 390, "height": 844})
        assert_accessible(screen)
        _shot(screen, "lobby-district-390")
        # From a hall's row to that hall's staff screen.
        row.get_by_role("link").click()
        expect(screen.locator("h1")).to_contain_text("工作人员版")
        assert not errors, errors
    finally:
        context.close()


def test_branch_manager_opens_own_hall_screen_but_not_the_district_screen(browser, queueing_demo):
    context, screen, errors = _screen(browser, queueing_demo, 1366, 768)
    try:
        login(screen, "manager_mz")
        screen.get_by_role("link", name=re.compile("^大厅大屏 · ")).first.click()
        expect(screen.locator("h1")).to_contain_text("工作人员版")
        expect(screen.locator("#kpi-overdue")).to_be_visible()
        assert_accessible(screen)
        assert not errors, errors
        response = screen.goto("/staff/lobby/district/")
        assert response is not None and response.status == 403
        expect(screen.get_by_text("区政务办大屏仅供区政务办人员查看。")).to_be_visible()
    finally:
        context.close()
