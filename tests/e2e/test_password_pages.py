"""Browser: the password pages at a phone's and a desktop's width — reached by
clicking from the workbench, errors next to the field, no axe violations."""

import os

import pytest

from .conftest import assert_accessible, login

SHOTS = os.environ.get("GOVHALL_SHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("width", [390, 1366])
def test_password_pages_at_phone_and_desktop_width(page, server, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, "admin")
    page.locator("#workbench-password").click()
    page.wait_for_url("**/staff/password/")
    assert_accessible(page)
    _shot(page, f"password-{width}")
    page.locator("#id_old_password").fill("Not-the-password-1")
    page.locator("#id_new_password").fill("Fresh-pass-1x")
    page.locator("#id_new_password_again").fill("Fresh-pass-1x")
    page.get_by_role("button", name="修改密码").click()
    assert page.locator("#id_old_password-error").inner_text() == "原密码不正确。"
    _shot(page, f"password-error-{width}")
    page.goto("/staff/")
    page.get_by_role("link", name="密码有效期").click()
    page.wait_for_url("**/staff/district/password-policy/")
    assert_accessible(page)
    _shot(page, f"password-policy-{width}")
    # Nothing can overflow sideways at this width.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
