"""Issue 17: the long staff pages made usable. The hall's page comes in tabs (plain links, htmx
swaps the sections when loaded; a failed form comes back on its tab with the message next to the
field); the coverage calendar shows two weeks at 1366 px without the page scrolling sideways."""

import re

from playwright.sync_api import expect

from .conftest import assert_accessible, login

WIDTHS = "() => [document.body.scrollWidth, document.body.scrollHeight]"


def test_hall_page_in_tabs(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, "manager_mz")
    page.get_by_role("link", name="中心登记").first.click()
    page.get_by_role("link", name="合川区政务服务中心婚姻登记分中心").first.click()
    page.wait_for_url(re.compile(r"/staff/centers/HC-MZ/$"))
    tabs = page.get_by_role("navigation", name="中心信息分区")
    expect(tabs.get_by_role("link", name="概况")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="标准化检查")).to_be_visible()
    expect(page.get_by_role("button", name="保存分管领导")).to_be_hidden()
    width, height = page.evaluate(WIDTHS)
    assert width <= 1366 and height < 3000, (width, height)  # was ~6,300 px with every form stacked
    assert_accessible(page)

    tabs.get_by_role("link", name="分管领导").click()
    page.wait_for_url(re.compile(r"\?tab=leadership$"))
    expect(tabs.get_by_role("link", name="分管领导")).to_have_attribute("aria-current", "page")
    expect(tabs.get_by_role("link", name="概况")).not_to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="标准化检查")).to_be_hidden()
    page.get_by_label("姓名").fill("")
    page.get_by_role("button", name="保存分管领导").click()
    page.wait_for_load_state()
    # Back on the leadership tab, the message next to the name.
    expect(tabs.get_by_role("link", name="分管领导")).to_have_attribute("aria-current", "page")
    expect(page.locator("#id_leadership-name-error")).to_be_visible()
    expect(page.get_by_label("姓名")).to_have_attribute(
        "aria-describedby", re.compile("id_leadership-name-error")
    )
    assert_accessible(page)


def test_coverage_calendar_shows_two_weeks_at_laptop_width(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    login(page, "manager_mz")
    page.goto("/staff/staffing/")
    page.locator("tr", has_text="婚姻登记分中心").get_by_role("link", name="值守日历").click()
    page.wait_for_load_state()
    days = page.locator("table.coverage thead th").count() - 1
    assert days >= 9  # two weeks of opening days
    fit = page.evaluate(
        """() => { const t = document.querySelector('table.coverage'), w = t.closest('.table-wrap');
        const sizes = [...t.querySelectorAll('th, td')].map(e => parseFloat(getComputedStyle(e).fontSize));
        return [document.body.scrollWidth, t.scrollWidth, w.clientWidth, Math.min(...sizes)]; }"""
    )
    body, table, wrap, smallest = fit
    assert body <= 1366 and table <= wrap, fit  # every day visible, no sideways scrolling
    assert smallest >= 12, fit
    assert_accessible(page)

    page.set_viewport_size({"width": 390, "height": 800})
    body, table, wrap = page.evaluate(
        """() => { const t = document.querySelector('table.coverage'), w = t.closest('.table-wrap');
        return [document.body.scrollWidth, t.scrollWidth, w.clientWidth]; }"""
    )
    assert body <= 390 and table > wrap  # on a phone the table scrolls in its own region
