"""好差评 by phone: the QR of a finished ticket opens the rating page on a phone
(390 px); a bad rating asks which indicators and thanks the citizen. The page
and the hall's public monthly figures are accessible at 390 and 1366 px."""

from .conftest import assert_accessible

# Two tickets finished today at the demo marriage hall's first window; prints their rating paths.
MAKE_TICKETS = """
from django.urls import reverse
from django.utils import timezone
from govhall.centers.models import Center
from govhall.feedback.services import qr_token
from govhall.queueing.models import Ticket, Window
center = Center.objects.get(code="HC-MZ")
window = Window.objects.filter(center=center).order_by("number").first()
queue = window.queues.first()
now = timezone.now()
for n in (991, 992):
    t = Ticket.objects.create(
        center=center, queue=queue, origin_queue=queue, day=timezone.localdate(), number=n,
        code=f"{queue.letter}{n}", status="done", sort_at=now, taken_at=now, called_at=now,
        finished_at=now, window=window,
    )
    print(reverse("feedback:rate", args=[qr_token("ticket", t.pk, "served")]))
"""


def _context(browser, server, width: int, height: int):
    ctx = browser.new_context(
        locale="zh-CN", base_url=server.base_url, viewport={"width": width, "height": height}
    )
    pg = ctx.new_page()
    pg.set_default_timeout(10_000)
    pg.on("dialog", lambda dialog: dialog.accept())  # data-confirm: the citizen says yes
    return ctx, pg


def test_phone_rating_bad_with_indicator_and_public_figures(browser, server):
    out = server.manage("shell", "-c", MAKE_TICKETS)
    first, second = [word for word in out.split() if word.startswith("/rate/")]
    ctx, pg = _context(browser, server, 390, 844)
    try:
        pg.goto(first)
        assert "991" in pg.locator("#rate-event").inner_text()
        assert_accessible(pg)
        pg.get_by_label("不满意", exact=True).check()
        pg.get_by_label("服务态度").check()
        pg.get_by_label("意见或建议").fill("等候时间太长")
        pg.get_by_role("button", name="提交评价").click()
        assert "感谢您的评价" in pg.locator(".messages").inner_text()
        assert pg.locator("#rated-level").inner_text() == "不满意"
        assert_accessible(pg)
        # large type on a phone still reads
        pg.goto(second + "?large=1")
        assert "large-type" in (pg.locator("html").get_attribute("class") or "")
        assert_accessible(pg)
        pg.goto(second + "?large=0")
        # the public figures, reached from the hall's page
        pg.goto("/centers/HC-MZ/")
        pg.get_by_role("link", name="好差评公示", exact=True).click()
        assert "非常不满意" in pg.locator("main").inner_text()
        assert_accessible(pg)
    finally:
        ctx.close()

    ctx, pg = _context(browser, server, 1366, 900)
    try:
        pg.goto(second)
        assert_accessible(pg)
        pg.goto(first)
        assert pg.locator("#rated-level").inner_text() == "不满意"
        assert_accessible(pg)
        pg.goto("/")
        pg.locator('main a[href="/centers/HC-MZ/ratings/"]').click()
        assert "不满意" in pg.locator("main").inner_text()
        assert pg.locator("#satisfaction").is_visible()
        assert_accessible(pg)
    finally:
        ctx.close()
