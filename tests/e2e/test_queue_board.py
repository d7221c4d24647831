"""The kiosk gives a ticket; the clerk calls it; the board shows it within a
second and says it aloud (the speech call is observed); the phone page shows
the position and follows it."""

import re
import time

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, login

HALL = "HC-MZ"

# Record what the board asks the browser to say (headless Chromium has no voice).
SPEECH_SPY = """
window.__spoken = [];
(function () {
  function Utterance(text) { this.text = text; this.lang = ""; }
  if (typeof window.SpeechSynthesisUtterance !== "function") { window.SpeechSynthesisUtterance = Utterance; }
  var spy = { speak: function (u) { window.__spoken.push({ text: u.text, lang: u.lang }); },
              getVoices: function () { return []; }, cancel: function () {} };
  try { Object.defineProperty(window, "speechSynthesis", { value: spy, configurable: true }); }
  catch (e) { window.speechSynthesis.speak = spy.speak; }
})();
"""


# Other browser tests share the server and may leave people waiting in this queue (the lobby's
# kiosk tickets): the clerk serves them first, so the phone's "ahead" count starts from nobody.
DRAIN = f"""
from govhall.accounts.models import User
from govhall.queueing import selectors as s, services as q
from govhall.queueing.models import Ticket
clerk = User.objects.get(username="clerk_mz")
queue = s.queue_for_taking("{HALL}", "A")
window = s.windows_for_clerk(clerk).filter(center=queue.center, queues=queue).first()
opened = window.status != "open"
if opened:
    q.window_open(window=window, by=clerk)
for _ in range(80):
    if s.window_current_ticket(window):
        q.ticket_finish(window=window, by=clerk)
    if not Ticket.objects.filter(queue=queue, status=Ticket.Status.WAITING).exists():
        break
    q.ticket_call_next(window=window, by=clerk)
if s.window_current_ticket(window):
    q.ticket_finish(window=window, by=clerk)
if opened:
    q.window_close(window=window, by=clerk)
"""


@pytest.fixture(scope="module")
def queueing_demo(server):
    server.manage("load_demo_queueing")
    # Numbers are given only in the hall's hours: the browser test takes them whatever the clock says.
    server.manage(
        "shell", "-c", f"from govhall.queueing.demo import hall_open_all_day; hall_open_all_day(['{HALL}'])"
    )
    server.manage("shell", "-c", DRAIN)
    return server


@pytest.fixture
def board(browser, queueing_demo):
    context = browser.new_context(
        locale="zh-CN", base_url=queueing_demo.base_url, viewport={"width": 1600, "height": 900}
    )
    context.add_init_script(SPEECH_SPY)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


@pytest.fixture
def clerk(browser, queueing_demo):
    context = browser.new_context(locale="zh-CN", base_url=queueing_demo.base_url)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.on("dialog", lambda dialog: dialog.accept())
    yield pg
    context.close()


def _take_at_kiosk(page) -> str:
    page.goto(f"/kiosk/{HALL}/")
    page.get_by_role("button", name="结婚登记 取号").click()
    page.wait_for_url(re.compile(r"/tickets/[^/]+/"))
    return page.locator("#ticket-code").inner_text().strip()


def test_kiosk_ticket_called_by_clerk_is_shown_and_spoken_on_the_board(page, phone_page, board, clerk):
    # The kiosk: large type by default, touch-sized buttons, no keyboard needed.
    page.goto(f"/kiosk/{HALL}/")
    expect(page.locator("html")).to_have_class(re.compile("large-type"))
    assert_accessible(page)
    first = _take_at_kiosk(page)
    assert re.fullmatch(r"A\d{3}", first)
    assert_accessible(page)
    second = _take_at_kiosk(page)
    assert int(second[1:]) == int(first[1:]) + 1

    # The phone follows the second ticket: one ahead.
    phone_page.goto(page.url.split("?")[0])
    expect(phone_page.locator("#ahead-count")).to_have_text("1")
    assert_accessible(phone_page)

    # The hall's big screen, connected live.
    board.goto(f"/board/{HALL}/")
    expect(board.locator("#board-conn")).to_have_text("实时连接")
    assert_accessible(board)
    board.get_by_role("button", name="点击开启语音").click()  # browsers speak only after a click

    # The clerk opens window 1 and calls the next ticket.
    login(clerk, "clerk_mz")
    clerk.goto("/staff/queue/")
    clerk.get_by_role("button", name="开 1 号窗口").click()
    expect(clerk.get_by_role("button", name="叫下一位")).to_be_visible()
    assert_accessible(clerk)
    clerk.get_by_role("button", name="叫下一位").click()
    called_at = time.monotonic()
    expect(clerk.locator("#current-ticket")).to_have_text(first)

    # The board shows it within a second of the call …
    latest = board.locator(".board-call-latest")
    expect(latest.locator(".board-code")).to_have_text(first, timeout=1000)
    expect(latest.locator(".board-window")).to_have_text("1 号窗口", timeout=1000)
    assert time.monotonic() - called_at < 2.0
    # … and says it aloud in Mandarin.
    text = f"请{first}号到1号窗口办理"
    board.wait_for_function(
        "t => window.__spoken.some(u => u.text === t && u.lang === 'zh-CN')", arg=text, timeout=5000
    )

    # The phone page moves on by itself: nobody ahead now.
    expect(phone_page.locator("#ahead-count")).to_have_text("0", timeout=8000)

    # Muted, a recall is shown but not spoken.
    board.get_by_role("button", name="静音").click()
    expect(board.get_by_role("button", name="取消静音")).to_have_attribute("aria-pressed", "true")
    spoken = board.evaluate("window.__spoken.length")
    clerk.get_by_role("button", name="重呼").click()
    expect(board.locator(".board-call").nth(1).locator(".board-code")).to_have_text(first, timeout=2000)
    board.wait_for_timeout(1500)
    assert board.evaluate("window.__spoken.length") == spoken

    # Finish; the window goes back to calling.
    clerk.get_by_role("button", name="办结").click()
    expect(clerk.get_by_role("button", name="叫下一位")).to_be_visible()


def test_board_falls_back_to_polling_without_event_source(browser, queueing_demo):
    context = browser.new_context(locale="zh-CN", base_url=queueing_demo.base_url)
    context.add_init_script("delete window.EventSource;" + SPEECH_SPY)
    pg = context.new_page()
    try:
        pg.goto(f"/board/{HALL}/")
        expect(pg.locator("#board-conn")).to_have_text("轮询更新中")
        expect(pg.locator("#board-live .board-queues")).to_be_visible()
    finally:
        context.close()
