"""The window's rating pad (评价器): the hall manager issues it from the
workbench; the tablet opens the address once and stays bound; when the clerk
finishes a ticket on the console the pad lights up by itself (no reload)
showing the clerk; the citizen taps 不满意, ticks 服务态度 and submits; one
Rating (level 2, 服务态度) and an open rectification exist. axe at 390, 1024
(the tablet) and 1366 px."""

import json
import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, clear_pad, login, serve_until

HALL = "HC-MZ"
CLERK_NAME = "婚姻登记窗口 张丽（演示）"
WIDTHS = (390, 1024, 1366)


@pytest.fixture(scope="module")
def queueing_demo(server):
    server.manage("load_demo_queueing")
    server.manage(
        "shell", "-c", f"from govhall.queueing.demo import hall_open_all_day; hall_open_all_day(['{HALL}'])"
    )
    return server


def _context(browser, server, width=1366, height=900, **kw):
    context = browser.new_context(
        locale="zh-CN", base_url=server.base_url, viewport={"width": width, "height": height}, **kw
    )
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.on("dialog", lambda dialog: dialog.accept())  # data-confirm: the user says yes
    return context, pg


def _accessible_at_each_width(pg, back_to=1024):
    for width in WIDTHS:
        pg.set_viewport_size({"width": width, "height": 900})
        assert_accessible(pg)
    pg.set_viewport_size({"width": back_to, "height": 768})


def test_pad_lights_up_when_the_clerk_finishes_and_takes_a_bad_rating(browser, queueing_demo):
    server = queueing_demo
    manager_ctx, manager = _context(browser, server)
    pad_ctx, pad = _context(browser, server, width=1024, height=768, has_touch=True)
    clerk_ctx, clerk = _context(browser, server)
    try:
        # The hall manager: workbench → 窗口评价器 → issue one for window 1 (confirmed).
        login(manager, "manager_mz")
        manager.get_by_role("link", name="窗口评价器（发放与停用）").click()
        expect(manager.get_by_role("heading", name="窗口评价器（好差评）")).to_be_visible()
        for width in (390, 1366):
            manager.set_viewport_size({"width": width, "height": 900})
            assert_accessible(manager)
        manager.get_by_role("button", name=re.compile(r"^发放评价器\s*（1号窗口）$")).click()
        expect(manager.get_by_role("heading", name="1号窗口评价器已发放")).to_be_visible()
        assert_accessible(manager)
        url = manager.locator("#pad-url").input_value()
        assert re.search(r"/pad/\?token=[\w-]+$", url)

        # The tablet opens the address once: the token leaves the address, the cookie keeps it.
        pad.goto(url)
        pad.wait_for_url("**/pad/")
        cookie = next(c for c in pad_ctx.cookies() if c["name"] == "govhall_pad")
        assert cookie["httpOnly"] and cookie["expires"] > 0
        clear_pad(pad)  # one server for all browser tests: window 1 may have served someone just now
        expect(pad.get_by_role("heading", name="欢迎评价")).to_be_visible()
        expect(pad.get_by_text("请在办理完成后评价")).to_be_visible()
        _accessible_at_each_width(pad)
        pad.evaluate("window.__sameDocument = true")

        # The clerk takes a number for someone, opens window 1 if needed, calls and finishes.
        clerk.goto(f"/kiosk/{HALL}/")
        clerk.get_by_role("button", name="结婚登记 取号").click()
        clerk.wait_for_url(re.compile(r"/tickets/[^/]+/"))
        code = clerk.locator("#ticket-code").inner_text().strip()
        login(clerk, "clerk_mz")
        clerk.goto("/staff/queue/")
        open_button = clerk.get_by_role("button", name="开 1 号窗口")
        if open_button.count():
            open_button.click()
        serve_until(clerk, code)

        # The pad lights up by itself, showing who served.
        bad = pad.get_by_role("button", name="不满意", exact=True)
        expect(pad.locator(".pad-lead")).to_contain_text(f"排队号 {code}", timeout=8000)
        assert pad.evaluate("window.__sameDocument === true")  # no reload
        expect(pad.locator(".pad-clerk-name")).to_have_text(CLERK_NAME)
        for label in ("非常满意", "满意", "基本满意", "非常不满意"):
            expect(pad.get_by_role("button", name=label, exact=True)).to_be_visible()
        box = bad.bounding_box()
        assert box["height"] >= 64 and box["width"] >= 64  # touch-sized
        _accessible_at_each_width(pad)

        # 不满意 → the offline indicators as large checkboxes → 服务态度 → 提交.
        bad.click()
        expect(pad.get_by_role("heading", name="很抱歉没有让您满意")).to_be_visible()
        for label in ("整体满意度", "服务效率", "服务水平"):
            expect(pad.get_by_label(label)).not_to_be_checked()
        attitude = pad.get_by_label("服务态度")
        _accessible_at_each_width(pad)
        attitude.focus()
        pad.keyboard.press("Space")  # keyboard usable
        expect(attitude).to_be_checked()
        pad.get_by_role("button", name="提交评价").click()
        expect(pad.get_by_role("heading", name="感谢您的评价！")).to_be_visible()
        _accessible_at_each_width(pad)
        # … and idle again after a few seconds.
        expect(pad.get_by_role("heading", name="欢迎评价")).to_be_visible(timeout=10_000)

        out = server.manage(
            "shell",
            "-c",
            "import json; from govhall.feedback.models import Rating; "
            f"mine = Rating.objects.filter(channel='pad', ticket__code='{code}'); r = mine.latest('created_at'); "
            "print(json.dumps([mine.count(), r.level, r.indicator_labels(), "
            "r.clerk.username, r.rectification.status]))",
        )
        count, level, labels, clerk_username, rect_status = json.loads(out.strip().splitlines()[-1])
        assert (count, level, labels, clerk_username, rect_status) == (1, 2, ["服务态度"], "clerk_mz", "open")
    finally:
        for ctx in (manager_ctx, pad_ctx, clerk_ctx):
            ctx.close()
