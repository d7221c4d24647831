"""The pages' one door for domain errors (core.page_errors), and safe redirects."""

import pytest
from django.test import RequestFactory

from govhall.core.pages import safe_next

pytestmark = [pytest.mark.django_db, pytest.mark.urls("govhall.core.tests.page_door_urls")]


def test_not_found_is_the_404_page_with_nothing_revealed(client):
    r = client.get("/t/not-found/")
    assert r.status_code == 404
    assert "没有找到" in r.content.decode()


def test_refused_is_the_403_page_with_its_reason(client):
    r = client.get("/t/refused/")
    assert r.status_code == 403
    assert "只有区政务办可以这样做。" in r.content.decode()


def test_a_domain_error_is_shown_next_to_the_field_it_names_with_400(client):
    r = client.post("/t/form/", {"name": "taken"})
    assert r.status_code == 400
    html = r.content.decode()
    assert 'id="id_name-error"' in html and "名称已被占用。" in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_name-error"' in html


def test_a_wrong_state_is_shown_on_the_form_with_409(client):
    r = client.post("/t/form/", {"name": "wrong"})
    assert r.status_code == 409
    assert "该记录已办结，不能再改。" in r.content.decode()


def test_an_error_with_no_form_page_goes_back_to_the_referring_page_with_the_message(client):
    r = client.post("/t/bare/", HTTP_REFERER="http://testserver/t/ok/?x=1")
    assert r.status_code == 302 and r["Location"] == "http://testserver/t/ok/?x=1"
    messages = [str(m) for m in r.wsgi_request._messages]
    assert messages == ["不能这样做。"]


def test_an_error_with_an_off_site_referer_is_the_error_page_not_a_redirect(client):
    r = client.post("/t/bare/", HTTP_REFERER="https://evil.example/x")
    assert r.status_code == 400
    assert "不能这样做。" in r.content.decode()


def test_htmx_gets_a_redirect_header_instead_of_a_swapped_page(client):
    r = client.post("/t/bare/", HTTP_REFERER="http://testserver/t/ok/", HTTP_HX_REQUEST="true")
    assert r.status_code == 204 and r["HX-Redirect"] == "http://testserver/t/ok/"


@pytest.mark.parametrize(
    "candidate",
    [
        "https://evil.example/x",
        "//evil.example/x",
        "http://evil.example",
        "javascript:alert(1)",
        "\\\\evil.example",
    ],
)
def test_safe_next_refuses_an_off_site_target(candidate):
    request = RequestFactory().get("/")
    assert safe_next(request, candidate, default="/staff/") == "/staff/"


def test_safe_next_keeps_a_path_on_this_site():
    request = RequestFactory().get("/")
    assert safe_next(request, "/staff/cases/?page=2", default="/staff/") == "/staff/cases/?page=2"
    assert safe_next(request, None, default="/staff/") == "/staff/"


def test_an_error_can_be_put_on_an_unbound_form():
    from govhall.core.errors import DomainError
    from govhall.core.page_errors import add_domain_error
    from govhall.core.tests.page_door_urls import NameForm

    form = NameForm()
    add_domain_error(form, DomainError("名称已被占用。", field="name"))
    assert form.errors == {"name": ["名称已被占用。"]}
    assert form.fields["name"].widget.attrs["aria-invalid"] == "true"
