"""A citizen finds 结婚登记 by its pinyin initials from the home page, reads its
guide (materials, fee basis, complaint phone), prints it and downloads it."""

import re

from .conftest import assert_accessible

RECORD_PRINT = "window.__printed = 0; window.print = function () { window.__printed += 1; };"


def search_hydj(page):
    page.goto("/")
    box = page.get_by_label("搜索办事事项", exact=True)
    assert box.is_visible()
    box.fill("hydj")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/items/\?q=hydj"))


def test_citizen_types_hydj_on_the_home_page_and_finds_marriage_registration(page):
    page.goto("/")
    assert_accessible(page)
    search_hydj(page)
    names = page.locator("ol.item-list h2.item-name").all_inner_texts()
    assert "结婚登记" in names[:3], names
    assert_accessible(page)


def test_marriage_guide_shows_materials_fee_basis_and_complaint_phone_and_prints(page):
    page.add_init_script(RECORD_PRINT)
    search_hydj(page)
    page.locator("ol.item-list").get_by_role("link", name="结婚登记", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "结婚登记"
    text = page.locator("main").inner_text()
    assert "申请材料" in text and "居民身份证" in text
    assert "不收费" in text or "收费依据" in text
    assert "投诉电话" in text and re.search(r"投诉电话\s*\n?\s*[\d-]{5,}", text), "no complaint phone number"
    assert_accessible(page)

    page.get_by_role("button", name="打印本页").click()
    assert page.evaluate("window.__printed") == 1

    page.emulate_media(media="print")
    assert not page.locator("nav.public-nav").is_visible()
    assert not page.locator(".catalog-search").first.is_visible()
    assert page.get_by_role("heading", level=1).is_visible()
    page.emulate_media(media="screen")
    assert page.locator("nav.public-nav").is_visible()


def test_marriage_guide_pdf_and_qr_download(page):
    search_hydj(page)
    href = page.locator("ol.item-list").get_by_role("link", name="结婚登记", exact=True).get_attribute("href")
    pdf = page.request.get(href + "guide.pdf")
    assert pdf.status == 200
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body()[:4] == b"%PDF"
    qr = page.request.get(href + "qr.svg")
    assert qr.status == 200
    assert qr.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in qr.body()


def test_results_fit_a_phone_without_sideways_scrolling(phone_page):
    phone_page.goto("/items/?q=hydj")
    assert "结婚登记" in phone_page.locator("ol.item-list").inner_text()
    overflow = phone_page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the results page scrolls sideways by {overflow}px on a phone"
