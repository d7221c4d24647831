"""The hall's devices as the hall uses them: the kiosk issues a ticket by keyboard alone
(no mouse-only control), its QR image loads and its address opens the phone page, it goes
back to the start when idle; the board speaks only after its start click and keeps
speaking after a forced reconnect, saying when the connection is lost."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, login, serve_until
from .test_queue_board import HALL, SPEECH_SPY, queueing_demo  # noqa: F401  (the shared fixture)

PRINT_SPY = "window.__printed = 0; window.print = function () { window.__printed += 1; };"


@pytest.fixture
def kiosk(browser, queueing_demo):  # noqa: F811
    context = browser.new_context(
        locale="zh-CN", base_url=queueing_demo.base_url, viewport={"width": 1080, "height": 1600}
    )
    context.add_init_script(PRINT_SPY)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture
def board(browser, queueing_demo):  # noqa: F811
    context = browser.new_context(
        locale="zh-CN", base_url=queueing_demo.base_url, viewport={"width": 1600, "height": 900}
    )
    context.add_init_script(SPEECH_SPY)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture
def console(browser, queueing_demo):  # noqa: F811
    context = browser.new_context(locale="zh-CN", base_url=queueing_demo.base_url)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.on("dialog", lambda dialog: dialog.accept())
    login(pg, "clerk_mz")
    pg.goto("/staff/queue/")
    opened = bool(pg.get_by_role("button", name="开 1 号窗口").count())
    if opened:
        pg.get_by_role("button", name="开 1 号窗口").click()
    expect(pg.get_by_role("button", name="叫下一位").or_(pg.locator("#current-ticket"))).to_be_visible()
    yield pg
    if opened:  # left as found: later browser tests open window 1 themselves (and expect it closed)
        pg.goto("/staff/queue/")
        if pg.get_by_role("button", name="关窗").count():
            pg.get_by_role("button", name="关窗").click()
            pg.wait_for_load_state()
    context.close()


def _tab_to(page, name: str, limit: int = 60) -> None:
    """Press Tab until the focused control is named `name` (fails if it is never reached)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement && document.activeElement.textContent.trim()")
        if label == name:
            return
    raise AssertionError(f"{name} is not reachable by Tab")


def _take_by_mouse(page) -> str:
    page.goto(f"/kiosk/{HALL}/")
    page.get_by_role("button", name="结婚登记 取号").click()
    page.wait_for_url(re.compile(r"/tickets/[^/]+/"))
    return page.locator("#ticket-code").inner_text().strip()


def _call_until(console, code: str) -> None:
    """Call at window 1 until `code` is the current ticket (finishing the others called before it)."""
    for _ in range(15):
        if console.locator("#current-ticket").count():
            if console.locator("#current-ticket").inner_text().strip() == code:
                return
            console.get_by_role("button", name="办结", exact=True).click()
            expect(console.get_by_role("button", name="叫下一位")).to_be_visible()
        console.get_by_role("button", name="叫下一位").click()
        expect(console.locator("#current-ticket")).to_be_visible()
    raise AssertionError(f"{code} was never called")


def test_kiosk_issues_a_ticket_by_keyboard_its_qr_loads_and_it_returns_home_when_idle(
    kiosk, phone_page, console
):
    kiosk.goto(f"/kiosk/{HALL}/")
    # Kiosk mode: no site navigation, no staff link; large type by default.
    expect(kiosk.locator("html")).to_have_class(re.compile("large-type"))
    assert kiosk.locator(".public-nav, .staff-nav, .site-header").count() == 0
    assert kiosk.locator('a[href^="/staff/"]').count() == 0
    # Touch-sized: every visible control is at least 48 × 48 px.
    small = kiosk.evaluate(
        """() => [...document.querySelectorAll('main a, main button, header a')]
              .filter(e => e.offsetParent !== null)
              .map(e => [e.textContent.trim(), e.getBoundingClientRect()])
              .filter(([t, r]) => r.width < 48 || r.height < 48).map(([t]) => t)"""
    )
    assert small == []
    # The phone QR is an image that loads (an SVG with its namespace).
    qr = kiosk.locator("#phone-qr")
    expect(qr).to_be_visible()
    kiosk.wait_for_function("() => document.getElementById('phone-qr').complete")
    assert kiosk.evaluate("document.getElementById('phone-qr').naturalWidth") > 0
    assert_accessible(kiosk)

    # Keyboard only: Tab to the queue's button, Enter.
    _tab_to(kiosk, "结婚登记 取号")
    kiosk.keyboard.press("Enter")
    kiosk.wait_for_url(re.compile(r"/tickets/[^/]+/\?from=kiosk"))
    code = kiosk.locator("#ticket-code").inner_text().strip()
    assert re.fullmatch(r"A\d{3}", code)
    assert kiosk.locator(".public-nav, .site-header").count() == 0
    assert_accessible(kiosk)
    # It prints the ticket on request (the keyboard again).
    _tab_to(kiosk, "打印号票")
    kiosk.keyboard.press("Enter")
    assert kiosk.evaluate("window.__printed") == 1
    # Idle: back to the start by itself (the wait is shortened here; it is 60 s on the page).
    assert kiosk.locator("body").get_attribute("data-idle-seconds") == "60"
    kiosk.evaluate("document.body.setAttribute('data-idle-seconds', '1'); window.govhallKioskReset()")
    kiosk.wait_for_url(re.compile(rf"/kiosk/{HALL}/$"), timeout=5000)
    expect(kiosk.get_by_role("button", name="结婚登记 取号")).to_be_visible()

    # The QR's address opens the hall's phone take-a-number page.
    address = kiosk.locator("#phone-url").inner_text().strip()
    assert address.endswith(f"/tickets/take/{HALL}/")
    phone_page.goto(address)
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("手机取号")

    # Leave nobody waiting: the clerk serves the ticket.
    serve_until(console, code)


def test_board_speaks_after_the_start_click_and_keeps_speaking_after_a_reconnect(board, kiosk, console):
    board.goto(f"/board/{HALL}/")
    start = board.get_by_role("button", name="点击开启语音")
    expect(start).to_be_visible()
    expect(start).to_be_focused()
    expect(board.locator("#board-conn")).to_have_text("实时连接")
    expect(board.locator("#board-conn")).to_have_attribute("aria-live", "polite")
    assert_accessible(board)

    # Before the click nothing is said, even when a number is called.
    first = _take_by_mouse(kiosk)
    _call_until(console, first)
    expect(board.locator(".board-call-latest .board-code")).to_have_text(first, timeout=3000)
    board.wait_for_timeout(1200)
    assert board.evaluate("window.__spoken.length") == 0

    start.click()
    expect(start).to_be_hidden()
    console.get_by_role("button", name="重呼").click()
    board.wait_for_function(
        "t => window.__spoken.some(u => u.text === t && u.lang === 'zh-CN')",
        arg=f"请{first}号到1号窗口办理",
        timeout=5000,
    )
    console.get_by_role("button", name="办结", exact=True).click()
    expect(console.get_by_role("button", name="叫下一位")).to_be_visible()

    # A forced reconnect: the board says the connection is lost, then recovers by itself.
    board.evaluate("window.govhallBoardDrop()")
    expect(board.locator("#board-conn")).to_have_text(re.compile("连接已断开"))
    expect(board.locator("#board-conn")).to_have_text("实时连接", timeout=10_000)
    expect(board.locator("main.board")).to_have_attribute("data-reconnects", "1")
    expect(start).to_be_hidden()  # the start click is kept across the reconnect

    second = _take_by_mouse(kiosk)
    _call_until(console, second)
    board.wait_for_function(
        "t => window.__spoken.some(u => u.text === t)", arg=f"请{second}号到1号窗口办理", timeout=5000
    )
    serve_until(console, second)

    # A reload of the same screen (e.g. after a network outage) keeps the start click.
    board.reload()
    expect(board.locator("#board-conn")).to_have_text("实时连接")
    expect(board.get_by_role("button", name="点击开启语音")).to_be_hidden()
