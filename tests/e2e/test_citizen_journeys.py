"""Issue 17: a citizen's journeys start at `/` and only click (no typed URL after the first).

On a phone (390 px) with large type switched on by a click at the start, each journey checks on
every page it visits that large type is still on, axe finds nothing serious, the browser logged
no console error, and records the page's height (printed: `pytest -s` shows it for the note).

(1) finds 结婚登记 by its pinyin initials in the header search, opens the guide, books a slot
    through the steps (item → day → time), sees the booking (then cancels it: the slot is freed);
(2) takes a number for the hall through 取号 (hall → queue → 绿色通道 once), sees the position
    (the ticket is then served, so no later test counts it as waiting);
(3) applies online with an SMS code, tracks the case by number and phone and reaches its rating link."""

import random
import re
import time

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible

HALL = "HC-MZ"
HALL_NAME = "合川区政务服务中心婚姻登记分中心"
WIDTH = 390
HEIGHTS: list[tuple[str, str, int]] = []


def _id_number() -> str:
    """A valid resident ID number (GB 11643 check digit), different on each run."""
    body = f"110105{random.randint(1960, 2000)}{random.randint(1, 12):02d}{random.randint(1, 28):02d}{random.randint(100, 999)}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _phone() -> str:
    return f"139{random.randint(10_000_000, 99_999_999)}"


@pytest.fixture(scope="module")
def halls(server):
    server.manage("load_demo_queueing")
    # Numbers are given only in the hall's hours: the journey takes one whatever the clock says.
    server.manage(
        "shell", "-c", f"from govhall.queueing.demo import hall_open_all_day; hall_open_all_day(['{HALL}'])"
    )
    return server


class Journey:
    """A phone in large type: every page visited is checked and measured."""

    def __init__(self, page, name: str):
        self.page, self.name, self.errors = page, name, []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def start(self) -> None:
        self.page.goto("/")
        self.page.get_by_role("link", name="大字模式（适老化）").click()
        self.page.wait_for_load_state()
        self.check("首页")

    def click(self, locator, what: str) -> None:
        """Click something that loads a page, then check that page."""
        with self.page.expect_navigation():
            locator.click()
        self.check(what)

    def check(self, what: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        expect(page.locator("html")).to_have_class(re.compile(r"\blarge-type\b"))
        assert_accessible(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= WIDTH, f"{what}: horizontal scroll ({width} px) at {WIDTH} px"
        alerts = page.locator('[role="alert"]').all_inner_texts()
        assert not self.errors, f"{what}: console errors {self.errors} {alerts}"
        height = page.evaluate("document.documentElement.scrollHeight")
        HEIGHTS.append((self.name, what, height))
        print(
            f"[{self.name}] {what} {page.url.split('//', 1)[1].split('/', 1)[1] or '/'}: {height} px at {WIDTH} px"
        )


@pytest.fixture
def citizen(browser, halls):
    context = browser.new_context(
        locale="zh-CN",
        base_url=halls.base_url,
        viewport={"width": WIDTH, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.on("dialog", lambda dialog: dialog.accept())
    yield pg
    context.close()


def _find_marriage_guide(j: Journey) -> None:
    page = j.page
    page.get_by_label("搜索办事事项（名称、拼音或首字母）").fill("jhdj")
    j.click(page.locator("form.site-search").get_by_role("button", name="搜索"), "搜索结果 jhdj")
    j.click(page.get_by_role("link", name="结婚登记", exact=True).first, "办事指南 结婚登记")
    expect(page.get_by_role("heading", level=1)).to_have_text("结婚登记")


def test_a_phone_finds_marriage_by_initials_and_books_a_slot(citizen):
    j, page = Journey(citizen, "预约"), citizen
    j.start()
    _find_marriage_guide(j)
    actions = page.locator("#act-book")
    j.click(actions.get_by_role("link", name=re.compile(HALL_NAME)), "预约 第 2 步 选日期")
    expect(page.locator('.steps-bar [aria-current="step"]')).to_contain_text("选择日期")
    days = page.locator(".choice-list a")
    assert days.count() >= 2
    j.click(days.last, "预约 第 3 步 选时段")  # the last day: its slots have not begun
    expect(page.locator('.steps-bar [aria-current="step"]')).to_contain_text("选择时段")
    page.locator('input[name="slot"]:not([disabled])').first.check()
    name = "预约" + "".join(random.choices("甲乙丙丁戊己庚辛壬癸", k=2))
    page.get_by_label("姓名").fill(name)
    page.get_by_label("身份证号").fill(_id_number())
    page.get_by_label("手机号").fill(_phone())
    j.click(page.get_by_role("button", name="提交预约"), "我的预约")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的预约")
    expect(page.locator("dl.facts")).to_contain_text(name)
    expect(page.locator("dl.facts")).to_contain_text("结婚登记")
    # Leave the slot as found.
    j.click(page.get_by_role("button", name="取消预约"), "预约已取消")
    expect(page.locator("dl.facts")).to_contain_text("已取消")


SERVE = """
from govhall.accounts.models import User
from govhall.queueing import selectors as s, services as q
from govhall.queueing.models import Ticket
clerk = User.objects.get(username="clerk_mz")
mine = Ticket.objects.get(token="{token}")
window = s.windows_for_clerk(clerk).filter(center=mine.center, queues=mine.queue).first()
opened = window.status != "open"
if opened:
    q.window_open(window=window, by=clerk)
for _ in range(80):
    current = s.window_current_ticket(window)
    if current:
        q.ticket_finish(window=window, by=clerk)
        if current.pk == mine.pk:
            break
    q.ticket_call_next(window=window, by=clerk)
if opened:
    q.window_close(window=window, by=clerk)
mine.refresh_from_db()
print(mine.status)
"""


def test_a_phone_takes_a_number_and_sees_its_position(citizen, halls):
    j, page = Journey(citizen, "取号"), citizen
    j.start()
    j.click(page.locator("#public-nav").get_by_role("link", name="取号"), "取号 选择大厅")
    j.click(page.locator(f'li[data-code="{HALL}"] h2').get_by_role("link"), "取号 选择业务")
    page.get_by_role("radio", name=re.compile("结婚登记")).check()
    expect(page.get_by_role("radio", name="不需要，普通取号")).to_be_checked()
    j.click(page.get_by_role("button", name="确认取号"), "我的号码")
    expect(page.locator("#ticket-code")).to_have_text(re.compile(r"^A\d+"))
    expect(page.locator("#ahead-count")).to_have_text(re.compile(r"^\d+\+?$"))
    token = page.url.rstrip("/").rsplit("/", 1)[1]
    # Leave no ticket waiting: the hall's clerk serves it (and whoever an earlier test left before it).
    assert halls.manage("shell", "-c", SERVE.replace("{token}", token)).strip().endswith("done")


def _sms_code(server, since: int) -> str:
    """The code in the SMS the console backend logged after `since` (the log's length before asking)."""
    for _ in range(50):
        found = re.findall(r"验证码是 (\d{6})", server.log.read_text()[since:])
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError("no SMS code in the server log")


def test_a_phone_applies_online_tracks_and_reaches_the_rating(citizen, halls, tmp_path):
    j, page = Journey(citizen, "网上申报"), citizen
    phone, password = _phone(), "journey-pass-2026x"
    j.start()
    _find_marriage_guide(j)
    j.click(page.locator("#act-online").get_by_role("link", name=re.compile("在线申报")), "登录")
    j.click(page.get_by_role("link", name="用手机号注册"), "注册")
    page.get_by_label("手机号").fill(phone)
    since = len(halls.log.read_text())
    j.click(page.get_by_role("button", name="获取验证码"), "注册 验证码已发送")
    page.get_by_label("短信验证码").fill(_sms_code(halls, since))
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("设置密码（至少 10 位）").fill(password)
    j.click(page.get_by_role("button", name="注册"), "在线申报 结婚登记")
    expect(page.get_by_role("heading", level=1)).to_contain_text("结婚登记")
    page.get_by_label("申请人姓名或单位名称").fill("吴演示")
    page.get_by_label("证件号码").fill(_id_number())
    page.get_by_label(re.compile(r"^联系电话")).fill(phone)
    page.get_by_label("另一方当事人姓名").fill("郑演示")
    page.get_by_label("另一方公民身份号码").fill(_id_number())
    page.get_by_label("另一方联系电话").fill(_phone())
    j.click(page.get_by_role("button", name="保存草稿"), "我的办件 草稿")
    pdf = tmp_path / "material.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% e2e\n")
    materials = page.locator("#f-material option").all_text_contents()[1:]
    assert materials
    for i, material in enumerate(materials):
        page.get_by_label("对应材料").select_option(label=material)
        page.get_by_label("文件（PDF、JPG、PNG，不超过 10 MB）").set_input_files(str(pdf))
        j.click(page.get_by_role("button", name="上传"), f"我的办件 上传材料 {i + 1}")
    j.click(page.get_by_role("button", name="提交申请"), "我的办件 已提交")
    expect(page.locator("#case-status")).to_have_text("已提交，待受理")
    number = page.locator("dd").first.inner_text().strip()
    assert re.fullmatch(r"HC-MZ-\d{8}-\d{4}", number), number
    j.click(page.locator("#public-nav").get_by_role("link", name="进度查询"), "进度查询")
    page.get_by_label("办件编号").fill(number)
    page.get_by_label("申请时填写的手机号").fill(phone)
    j.click(page.get_by_role("button", name="查询"), "进度查询 结果")
    expect(page.locator("#case-status")).to_have_text("已提交，待受理")
    expect(page.locator("#case-feedback").get_by_role("link", name=re.compile("效能投诉"))).to_be_visible()
    j.click(page.locator("#case-feedback").get_by_role("link", name="评价“接件”环节的服务"), "评价 接件")
    expect(page.get_by_role("heading", level=1)).to_contain_text("评价")


def test_print_the_heights():
    """The heights of the pages the journeys visited (for the lead's note)."""
    for journey, what, height in HEIGHTS:
        print(f"{journey}\t{what}\t{height}")
