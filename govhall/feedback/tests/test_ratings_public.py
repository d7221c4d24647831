"""好差评 for the public (issue 15): the phone page a QR opens, the QR on the
ticket page and on case notices, the citizen's account channel and the fix
rating, the hall's monthly figures and the guide's satisfaction."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.utils import timezone

from govhall.cases.models import Case
from govhall.feedback import services
from govhall.feedback.models import Rating, Rectification
from govhall.queueing import services as queueing
from tests.support import PERSON_ID, PHONE

pytestmark = pytest.mark.django_db

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")


def client_for(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def rate_path(ticket) -> str:
    return f"/rate/{services.qr_token('ticket', ticket.pk, 'served')}/"


def make_citizen(phone: str, name: str = "王五"):
    from govhall.accounts import services as accounts
    from govhall.accounts.models import SmsCode

    accounts.citizen_send_code(phone=phone)
    SmsCode.objects.update(code_hash=accounts._code_hash(phone, "654321"))
    return accounts.citizen_register(
        phone=phone, code="654321", password="a-long-citizen-pass-9", full_name=name
    )


@pytest.fixture
def citizen(db):
    return make_citizen("13912345678")


@pytest.fixture
def my_case(world, marriage, materials, citizen):
    """A window case of the citizen's, received and accepted (not completed)."""
    from govhall.cases import services as cases

    case = cases.case_intake_window(
        by=world["clerk_a"],
        center=world["a"],
        item=marriage,
        paper_material_ids=[m.id for m in materials],
        applicant_name="王五",
        applicant_id_number=PERSON_ID,
        contact_phone=PHONE,
    )
    Case.objects.filter(pk=case.pk).update(
        applicant_user=citizen,
        status=Case.Status.ACCEPTED,
        submitted_at=timezone.now(),
        accepted_at=timezone.now(),
        completed_at=None,
    )
    case.refresh_from_db()
    return case


# ── the phone page ──


def test_rate_page_shows_what_is_rated_never_personal_data(finish):
    t = finish(phone=PHONE)
    res = client_for().get(rate_path(t))
    html = res.content.decode()
    assert res.status_code == 200
    assert t.code in html and t.center.name in html and "婚姻登记" in html
    assert PHONE not in html and not MOBILE.search(html)
    # offline indicators for a window ticket, five levels
    assert "服务态度" in html and "平台操作性" not in html
    assert all(label in html for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"))


def test_bad_rating_with_indicator_is_recorded_and_thanked(finish):
    t = finish()
    c = client_for()
    res = c.post(rate_path(t), {"action": "rate", "level": 2, "indicators": ["attitude"], "text": "等太久"})
    assert res.status_code == 302
    r = Rating.objects.get()
    assert (r.channel, r.level, r.indicators, r.text) == ("qr", 2, ["attitude"], "等太久")
    assert r.rater is None and Rectification.objects.filter(rating=r).exists()
    page = c.get(res["Location"]).content.decode()
    assert "感谢您的评价" in page and "您已评价" in page and "不满意" in page


def test_bad_rating_without_or_with_wrong_indicator_refused_nothing_written(finish):
    t = finish()
    c = client_for()
    res = c.post(rate_path(t), {"action": "rate", "level": 1})
    assert res.status_code == 400 and "差评请勾选不满意的指标" in res.content.decode()
    # an online indicator for a window ticket is not offered, so not accepted
    res = c.post(rate_path(t), {"action": "rate", "level": 2, "indicators": ["platform"]})
    assert res.status_code == 400 and 'aria-invalid="true"' in res.content.decode()
    res = c.post(rate_path(t), {"action": "rate", "level": 9})
    assert res.status_code == 400
    assert Rating.objects.count() == 0 and Rectification.objects.count() == 0


def test_expired_qr_refused_nothing_written(finish):
    t = finish()
    path = rate_path(t)
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        c = client_for()
        res = c.get(path)
        assert res.status_code == 400 and "已过期" in res.content.decode()
        res = c.post(path, {"action": "rate", "level": 5})
        assert res.status_code == 400 and "已过期" in res.content.decode()
    assert Rating.objects.count() == 0


def test_invalid_qr_and_event_not_happened_refused(world, window):
    res = client_for().get(f"/rate/{signing.dumps(['ticket', 1, 'served'])}/")
    assert res.status_code == 404 and "评价二维码无效" in res.content.decode()
    queueing.window_open(window=window, by=world["clerk_a"])
    waiting = queueing.ticket_issue(queue=window.queues.first())
    res = client_for().post(rate_path(waiting), {"action": "rate", "level": 5})
    assert res.status_code == 409 and "尚未办结" in res.content.decode()
    assert Rating.objects.count() == 0


def test_reused_qr_refused(finish):
    t = finish()
    c = client_for()
    assert c.post(rate_path(t), {"action": "rate", "level": 5}).status_code == 302
    res = c.post(rate_path(t), {"action": "rate", "level": 1, "indicators": ["attitude"]})
    assert res.status_code == 409 and "不能重复评价" in res.content.decode()
    assert list(Rating.objects.values_list("level", flat=True)) == [5]


def test_signed_in_citizen_rates_by_real_name(finish, citizen):
    t = finish()
    client_for(citizen).post(rate_path(t), {"action": "rate", "level": 4})
    assert Rating.objects.get().rater == citizen


def test_large_type_works_on_the_rate_page(finish):
    res = client_for().get(rate_path(finish()) + "?large=1")
    assert res.status_code == 200 and 'class="large-type"' in res.content.decode()


# ── the QR on the ticket page and on notices ──


def test_ticket_page_shows_rating_qr_only_when_done(world, window):
    queueing.window_open(window=window, by=world["clerk_a"])
    t = queueing.ticket_issue(queue=window.queues.first())
    c = client_for()
    html = c.get(f"/tickets/{t.token}/").content.decode()
    assert "rate-link" not in html and "/rate/" not in html
    queueing.ticket_call_next(window=window, by=world["clerk_a"])
    assert "/rate/" not in c.get(f"/tickets/{t.token}/status/").content.decode()
    queueing.ticket_finish(window=window, by=world["clerk_a"])
    html = c.get(f"/tickets/{t.token}/").content.decode()
    m = re.search(r'id="rate-link" href="http://testserver(/rate/[^"]+)"', html)
    assert m and "<svg" in html and 'aria-label="扫码评价本次服务"' in html
    assert "/rate/" in c.get(f"/tickets/{t.token}/status/").content.decode()
    # the link works, and once rated by phone it is not offered again
    assert c.post(m.group(1), {"action": "rate", "level": 5}).status_code == 302
    assert "rate-link" not in c.get(f"/tickets/{t.token}/").content.decode()


def pdf_rating_event(pdf: bytes):
    """The event the rating link in a PDF (its link annotation) names. A token is
    signed with the time, so each download carries its own token."""
    m = re.search(rb"/URI \((http://testserver/rate/([^/)]+)/)\)", pdf)
    assert m, "no rating link in the PDF"
    return services.qr_event(m.group(2).decode())


def test_notice_html_and_pdf_carry_the_rating_link_of_its_step(world, my_case, citizen):
    c = client_for(citizen)
    from govhall.cases.models import Notice

    notice = Notice.objects.create(
        case=my_case, kind="acceptance", number="SL-T-1", body={"title": "受理通知书"}
    )
    html = c.get(f"/my/cases/{my_case.pk}/notices/{notice.number}/").content.decode()
    m = re.search(r'id="rate-link" href="(http://testserver/rate/([^/"]+)/)"', html)
    assert m and "<svg" in html
    assert services.qr_event(m.group(2)).step == "accepted"
    pdf = c.get(f"/my/cases/{my_case.pk}/notices/{notice.number}.pdf").content
    assert pdf.startswith(b"%PDF") and pdf_rating_event(pdf).step == "accepted"
    # the staff API's PDF of the same notice carries the link too
    api_pdf = client_for(world["clerk_a"]).get(f"/api/v1/cases/{my_case.number}/notices/{notice.number}.pdf")
    event = pdf_rating_event(api_pdf.content)
    assert api_pdf.status_code == 200 and (event.case, event.step) == (my_case, "accepted")
    # a completion notice of a case not completed yet carries no link
    done = Notice.objects.create(case=my_case, kind="completion", number="BJ-T-1", body={"title": "办结通知"})
    assert "/rate/" not in c.get(f"/my/cases/{my_case.pk}/notices/{done.number}/").content.decode()
    assert b"/rate/" not in c.get(f"/my/cases/{my_case.pk}/notices/{done.number}.pdf").content


# ── the account channel ──


def test_citizen_sees_rate_links_on_own_cases_only(world, my_case, citizen):
    c = client_for(citizen)
    html = c.get("/my/").content.decode()
    assert f"/my/cases/{my_case.pk}/rate/submitted/" in html
    assert f"/my/cases/{my_case.pk}/rate/accepted/" in html
    assert "/rate/completed/" not in html  # not completed yet
    other = client_for(make_citizen("13700001111", "赵六"))
    assert f"/my/cases/{my_case.pk}/rate/" not in other.get("/my/").content.decode()
    assert other.get(f"/my/cases/{my_case.pk}/rate/accepted/").status_code == 404
    assert (
        other.post(f"/my/cases/{my_case.pk}/rate/accepted/", {"action": "rate", "level": 5}).status_code
        == 404
    )
    res = other.post(
        f"/api/v1/ratings/cases/{my_case.pk}/accepted", {"level": 5}, content_type="application/json"
    )
    assert res.status_code == 404
    assert Rating.objects.count() == 0
    # a step that has not happened is refused on the page
    res = c.get(f"/my/cases/{my_case.pk}/rate/completed/")
    assert res.status_code == 409 and "尚未到达" in res.content.decode()


def test_account_rating_then_rate_the_fix(world, my_case, citizen):
    c = client_for(citizen)
    path = f"/my/cases/{my_case.pk}/rate/accepted/"
    assert c.post(path, {"action": "rate", "level": 2, "indicators": ["attitude"]}).status_code == 302
    r = Rating.objects.get()
    assert (r.channel, r.rater, r.step) == ("account", citizen, "accepted")
    html = c.get("/my/").content.decode()
    assert "已评价“不满意”" in html and "差评整改中" in html
    # the fix form is not offered before the answer, and refused if posted
    assert c.post(path, {"action": "fix", "level": 5}).status_code == 409
    rect = Rectification.objects.get(rating=r)
    m = world["manager_a"]
    services.rect_revisit(by=m, rect=rect, note="已电话回访")
    services.rect_finding(by=m, rect=rect, valid=True)
    services.rect_fix(by=m, rect=rect, fix="窗口人员培训", answer="已对窗口人员进行服务礼仪培训，感谢监督。")
    assert "请查看并评价整改结果" in c.get("/my/").content.decode()
    page = c.get(path).content.decode()
    assert "已对窗口人员进行服务礼仪培训" in page and "您对整改结果的评价" in page
    assert c.post(path, {"action": "fix", "level": 4}).status_code == 302
    rect.refresh_from_db()
    assert rect.after_level == 4
    assert "整改结果评价：满意" in c.get("/my/").content.decode()
    assert c.post(path, {"action": "fix", "level": 1}).status_code == 409
    rect.refresh_from_db()
    assert rect.after_level == 4


def test_account_rating_api(world, my_case, citizen):
    c = client_for(citizen)
    res = c.get(f"/api/v1/ratings/cases/{my_case.pk}")
    assert [(o["step"], o["rated"]) for o in res.json()] == [("submitted", False), ("accepted", False)]
    res = c.post(
        f"/api/v1/ratings/cases/{my_case.pk}/submitted", {"level": 5}, content_type="application/json"
    )
    assert res.status_code == 201
    res = c.post(
        f"/api/v1/ratings/cases/{my_case.pk}/submitted", {"level": 4}, content_type="application/json"
    )
    assert res.status_code == 409
    res = c.post(
        f"/api/v1/ratings/cases/{my_case.pk}/completed", {"level": 5}, content_type="application/json"
    )
    assert res.status_code == 409
    assert c.get(f"/api/v1/ratings/cases/{my_case.pk}").json()[0]["level_label"] == "非常满意"
    rid = Rating.objects.get().pk
    res = c.post(f"/api/v1/ratings/{rid}/fix-rating", {"level": 5}, content_type="application/json")
    assert res.status_code == 409  # a good rating has no fix to rate


# ── the public figures ──


def test_public_month_page_figures_and_no_personal_data(world, finish, client):
    t1, t2 = finish(phone=PHONE), finish(phone="13611112222")
    services.rating_by_qr(
        token=services.qr_token("ticket", t1.pk, "served"), level=5, text="很好 13612345678"
    )
    bad = services.rating_by_qr(
        token=services.qr_token("ticket", t2.pk, "served"), level=1, indicators=["attitude"], text=PERSON_ID
    )
    rect = Rectification.objects.get(rating=bad)
    m = world["manager_a"]
    services.rect_revisit(by=m, rect=rect, note="回访 13611112222")
    services.rect_finding(by=m, rect=rect, valid=True)
    services.rect_fix(by=m, rect=rect, fix="约谈窗口人员，回访电话 13611112222", answer="已整改")
    center = world["a"]
    assert "好差评公示" in client.get(f"/centers/{center.code}/").content.decode()
    assert f"/centers/{center.code}/ratings/" in client.get("/").content.decode()
    res = client.get(f"/centers/{center.code}/ratings/")
    html = res.content.decode()
    assert res.status_code == 200
    assert "50.0%" in html and "约谈窗口人员" in html and "1 号窗口" in html
    assert not MOBILE.search(html) and not ID_NUMBER.search(html)
    assert world["clerk_a"].full_name not in html
    api = client.get(f"/api/v1/public/centers/{center.code}/ratings").json()
    assert api["total"] == 2 and api["satisfaction"] == 50.0
    assert {r["label"]: r["n"] for r in api["by_level"]} == {
        "非常满意": 1,
        "满意": 0,
        "基本满意": 0,
        "不满意": 0,
        "非常不满意": 1,
    }
    assert api["by_window"][0]["number"] == 1 and api["fixed"][0]["indicators"] == ["服务态度"]
    assert not MOBILE.search(res.content.decode() + str(api)) and not ID_NUMBER.search(str(api))
    # an earlier month has nothing; links to earlier months
    last = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    assert f"?month={last}" in html
    assert client.get(f"/api/v1/public/centers/{center.code}/ratings?month={last}").json()["total"] == 0


def test_public_month_bad_input_refused(world, client):
    code = world["a"].code
    for bad in ("2026-13", "26-1", "abc", "2999-01"):
        assert client.get(f"/centers/{code}/ratings/?month={bad}").status_code == 400, bad
        assert client.get(f"/api/v1/public/centers/{code}/ratings?month={bad}").status_code == 400, bad
    assert client.get("/centers/NOPE/ratings/").status_code == 404
    assert client.get("/api/v1/public/centers/NOPE/ratings").status_code == 404


def test_guide_shows_item_satisfaction(world, my_case, citizen, marriage, client):
    assert "暂无评价" in client.get(f"/items/{marriage.code}/").content.decode()
    services.rating_by_account(case=my_case, step="submitted", by=citizen, level=5)
    services.rating_by_account(case=my_case, step="accepted", by=citizen, level=2, indicators=["attitude"])
    html = client.get(f"/items/{marriage.code}/").content.decode()
    assert "满意度 50.0%（近 12 个月 2 条评价）" in html
    got = client.get(f"/api/v1/items/{marriage.code}").json()["satisfaction"]
    assert got == {"rate": 50.0, "count": 2, "months": 12, "text": "满意度 50.0%（近 12 个月 2 条评价）"}
    assert client.get(f"/api/v1/items/{marriage.code}/guide").json()["satisfaction"] == got


@pytest.mark.django_db(transaction=True)
def test_a_rating_moves_the_kept_guides_satisfaction_at_once(world, my_case, citizen, marriage):
    """The guide is kept whole for anonymous visitors (core/page_cache.py); the item's
    satisfaction is kept under the ratings' own number, which a rating bumps."""
    from django.core.cache import cache

    cache.clear()
    anonymous = Client()
    assert "暂无评价" in anonymous.get(f"/items/{marriage.code}/").content.decode()
    assert "暂无评价" in anonymous.get(f"/items/{marriage.code}/").content.decode()  # kept
    services.rating_by_account(case=my_case, step="submitted", by=citizen, level=5)
    assert (
        "满意度 100.0%（近 12 个月 1 条评价）" in anonymous.get(f"/items/{marriage.code}/").content.decode()
    )
    cache.clear()
