from .conftest import assert_accessible

OFFICIAL_NAMES = [
    "合川区政务服务中心",
    "合川区政务服务中心人力社保分中心",
    "合川区政务服务中心退役军人服务分中心",
    "合川区政务服务中心烟草分中心",
    "合川区政务服务中心残联分中心",
    "合川区政务服务中心婚姻登记分中心",
    "合川区政务服务中心住房公积金管理分中心",
]


def test_home_lists_all_seven_centers_by_official_name_and_passes_axe(page):
    page.goto("/")
    headings = page.locator("main h2").all_inner_texts()
    for name in OFFICIAL_NAMES:
        assert name in headings, f"{name} not on the home page"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert_accessible(page)


def test_center_page_shows_address_hours_phone_zones_and_facilities(page):
    page.goto("/")
    page.get_by_role("link", name="合川区政务服务中心人力社保分中心", exact=True).click()
    main = page.locator("main")
    text = main.inner_text()
    for expected in (
        "希尔安大道 1 号",
        "星期一至星期五",
        "023-42800001",
        "等候区",
        "无障碍设施",
        "合川区人力资源和社会保障局办事大厅",
    ):
        assert expected in text
    assert_accessible(page)


def test_large_type_mode_enlarges_text_and_stays_on(page):
    page.goto("/")
    normal = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main h2')).fontSize)")
    page.get_by_role("link", name="大字模式（适老化）").click()
    page.wait_for_load_state()
    large = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main h2')).fontSize)")
    assert large >= normal * 1.3
    page.goto("/centers/HC-MZ/")  # the choice is remembered
    assert "large-type" in (page.locator("html").get_attribute("class") or "")
    assert_accessible(page)


def test_home_works_on_a_phone_without_sideways_scrolling(phone_page):
    phone_page.goto("/")
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    assert phone_page.get_by_role("link", name="合川区政务服务中心婚姻登记分中心", exact=True).is_visible()


def test_keyboard_user_can_skip_to_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "跳到主要内容" in focused
