"""帮办代办 (issue 18, part 4): requests from the kiosk, the phone and the desk; the helper;
the 委托书 and its date; the cases it produced; scope; history; both doors."""

from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone

from govhall.coordination import services
from govhall.coordination.models import HelpAuthorization, HelpCase, HelpRequest, HelpStep
from govhall.core.errors import DomainError, NotFound, Refused, WrongState
from tests.support import PHONE, make_user

HALL_TZ = ZoneInfo("Asia/Shanghai")
OPEN_TIME = datetime(2026, 11, 24, 10, 0, tzinfo=HALL_TZ)  # a Tuesday, inside the halls' hours
PDF = b"%PDF-1.4\n% test scan\n"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(OPEN_TIME, tick=True):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def intake(world, marriage, materials):
    """A function: a window case at branch a taken in by clerk_a (as cases' tests do)."""
    from govhall.cases import services as cases
    from tests.support import PERSON_ID

    def make(n=4):
        return cases.case_intake_window(
            by=world["clerk_a"],
            center=world["a"],
            item=marriage,
            paper_material_ids=[m.id for m in materials[:n]],
            applicant_name="王大爷",
            applicant_id_number=PERSON_ID,
            contact_phone=PHONE,
        )

    return make


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def scan(content: bytes = PDF, name: str = "委托书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def proxy(world):
    """A 代办 request at branch a, recorded at the desk by clerk_a and assigned to clerk_a."""
    return services.help_request_submit(
        by=world["manager_a"],
        center=world["a"],
        kind="proxy",
        group="elderly",
        channel="desk",
        name="王大爷",
        phone=PHONE,
        needs="代办婚姻登记材料递交",
        helper=world["clerk_a"],
    )


def authorise(world, req, *, days=3):
    return services.help_authorization_add(
        by=world["clerk_a"],
        request=req,
        principal="王大爷",
        agent="测试clerk_a",
        items="结婚登记",
        valid_until=timezone.localdate() + timedelta(days=days),
        file=scan(),
    )


# ── the 委托书 and its date ──


def test_expired_authorization_cannot_be_used_and_nothing_is_written(world, proxy, intake):
    auth = authorise(world, proxy, days=2)
    case = intake(4)
    steps, history = HelpStep.objects.count(), HelpRequest.history.count()
    with time_machine.travel(OPEN_TIME + timedelta(days=3), tick=False), pytest.raises(DomainError) as exc:
        services.help_case_link(
            by=world["clerk_a"], request=proxy, case_number=case.number, authorization=auth
        )
    assert "委托书已于 2026年11月26日 到期" in exc.value.message
    assert exc.value.code == "authorization_expired" and exc.value.field == "authorization"
    assert not HelpCase.objects.exists()
    assert HelpStep.objects.count() == steps and HelpRequest.history.count() == history


def test_expired_authorization_refused_by_the_api_with_a_chinese_reason(world, proxy, intake):
    auth = authorise(world, proxy, days=1)
    case = intake(4)
    with time_machine.travel(OPEN_TIME + timedelta(days=5), tick=False):
        r = client_for(world["clerk_a"]).post(
            f"/api/v1/help-requests/{proxy.number}/cases",
            {"case": case.number, "authorization": auth.pk},
            content_type="application/json",
        )
    assert r.status_code == 400 and "到期" in r.json()["detail"]
    assert not HelpCase.objects.exists()


def test_expired_authorization_refused_on_the_page_next_to_the_field(world, proxy, intake):
    auth = authorise(world, proxy, days=1)
    case = intake(4)
    with time_machine.travel(OPEN_TIME + timedelta(days=5), tick=False):
        r = client_for(world["clerk_a"]).post(
            f"/staff/help/{proxy.number}/case/", {"case-case": case.number, "case-authorization": auth.pk}
        )
    assert r.status_code == 400
    assert "到期" in r.content.decode()
    assert not HelpCase.objects.exists()


def test_authorization_in_force_links_the_case_it_produced(world, proxy, intake):
    auth = authorise(world, proxy)
    case = intake(4)
    link = services.help_case_link(
        by=world["clerk_a"], request=proxy, case_number=case.number, authorization=auth
    )
    assert link.case == case and link.authorization == auth
    assert HelpCase.history.filter(history_type="+", history_user=world["clerk_a"]).count() == 1
    assert list(proxy.steps.values_list("action", flat=True)) == ["submit", "assign", "authorization", "case"]
    r = client_for(world["manager_a"]).get(f"/api/v1/help-requests/{proxy.number}")
    assert r.json()["cases"] == [case.number]


def test_proxy_without_authorization_is_refused(world, proxy, intake):
    case = intake(4)
    with pytest.raises(DomainError, match="代办须选择申请人的委托书"):
        services.help_case_link(by=world["clerk_a"], request=proxy, case_number=case.number)
    assert not HelpCase.objects.exists()


def test_authorization_already_past_its_date_is_not_recorded(world, proxy):
    with pytest.raises(DomainError) as exc:
        services.help_authorization_add(
            by=world["clerk_a"],
            request=proxy,
            principal="王大爷",
            agent="clerk_a",
            items="结婚登记",
            valid_until=timezone.localdate() - timedelta(days=1),
            file=scan(),
        )
    assert exc.value.field == "valid_until" and "已过" in exc.value.message
    assert not HelpAuthorization.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"not a pdf at all", "scan.pdf", "只能上传 PDF、JPG 或 PNG"),
        (b"MZ\x90\x00 an exe", "scan.jpg", "只能上传 PDF、JPG 或 PNG"),
        (b"", "scan.pdf", "文件是空的"),
    ],
)
def test_scan_is_checked_by_its_content(world, proxy, content, name, message):
    with pytest.raises(DomainError, match=message):
        services.help_authorization_add(
            by=world["clerk_a"],
            request=proxy,
            principal="王大爷",
            agent="clerk_a",
            items="结婚登记",
            valid_until=timezone.localdate(),
            file=scan(content, name),
        )
    assert not HelpAuthorization.objects.exists()


def test_scan_over_the_size_limit_is_refused(world, proxy, settings):
    settings.GOVHALL_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(DomainError, match="不能超过"):
        services.help_authorization_add(
            by=world["clerk_a"],
            request=proxy,
            principal="王大爷",
            agent="clerk_a",
            items="结婚登记",
            valid_until=timezone.localdate(),
            file=scan(PDF + b"0" * 2048),
        )
    assert not HelpAuthorization.objects.exists()


def test_png_scan_is_kept_and_served_to_staff_only(world, proxy):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    auth = services.help_authorization_add(
        by=world["clerk_a"],
        request=proxy,
        principal="王大爷",
        agent="clerk_a",
        items="结婚登记",
        valid_until=timezone.localdate(),
        file=scan(png, "scan.pdf"),  # the name lies; the content decides
    )
    assert auth.content_type == "image/png" and auth.file.name.endswith(".png")
    url = f"/staff/help/{proxy.number}/authorizations/{auth.pk}/file/"
    r = client_for(world["manager_a"]).get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == png
    assert client_for(world["manager_b"]).get(url).status_code == 404


# ── scope ──


def test_a_hall_sees_only_its_own_requests(world, proxy):
    other = services.help_request_submit(
        by=None,
        center=world["b"],
        kind="help",
        group="disabled",
        channel="kiosk",
        name="李四",
        phone="13900001111",
        needs="帮忙填表",
    )
    m_b = client_for(world["manager_b"])
    page = m_b.get("/staff/help/").content.decode()
    assert other.number in page and proxy.number not in page
    assert m_b.get(f"/staff/help/{proxy.number}/").status_code == 404
    assert m_b.get(f"/api/v1/help-requests/{proxy.number}").status_code == 404
    numbers = [x["number"] for x in m_b.get("/api/v1/help-requests").json()["items"]]
    assert numbers == [other.number]
    # the district office sees both halls
    numbers = {x["number"] for x in client_for(world["admin"]).get("/api/v1/help-requests").json()["items"]}
    assert numbers == {other.number, proxy.number}


def test_a_helper_sees_theirs_and_another_clerk_does_not(world, proxy):
    other_clerk = make_user("other_clerk_a", "clerk", world["a"])
    unassigned = services.help_request_submit(
        by=None,
        center=world["a"],
        kind="help",
        group="other",
        channel="phone",
        name="赵六",
        phone="13900002222",
        needs="咨询",
    )
    helper = client_for(world["clerk_a"])
    page = helper.get("/staff/help/").content.decode()
    assert proxy.number in page and unassigned.number not in page
    assert helper.get(f"/staff/help/{unassigned.number}/").status_code == 404
    stranger = client_for(other_clerk)
    assert stranger.get(f"/staff/help/{proxy.number}/").status_code == 404
    assert (
        stranger.post(
            f"/api/v1/help-requests/{proxy.number}/steps", {"note": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    with pytest.raises(NotFound):
        from govhall.coordination.selectors import help_request_get

        help_request_get(other_clerk, proxy.number)


def test_a_helper_may_not_assign_and_another_halls_clerk_may_not_be_helper(world, proxy):
    with pytest.raises(Refused):
        services.help_assign(by=world["clerk_a"], request=proxy, helper=world["chief_a"])
    r = client_for(world["clerk_a"]).post(
        f"/api/v1/help-requests/{proxy.number}/assign",
        {"helper": "tchief_a"},
        content_type="application/json",
    )
    assert r.status_code == 403
    with pytest.raises(DomainError, match="须是本大厅的工作人员"):
        services.help_assign(by=world["manager_a"], request=proxy, helper=world["clerk_b"])
    proxy.refresh_from_db()
    assert proxy.helper == world["clerk_a"]


def test_desk_recording_at_another_hall_is_refused(world):
    with pytest.raises(NotFound):
        services.help_request_submit(
            by=world["clerk_b"],
            center=world["a"],
            kind="help",
            group="elderly",
            channel="desk",
            name="王五",
            phone=PHONE,
            needs="帮办",
        )
    assert not HelpRequest.objects.exists()


# ── the whole path, history, masking ──


def test_assign_step_close_each_recorded(world, proxy):
    services.help_step_add(by=world["clerk_a"], request=proxy, note="陪同填写申请表")
    services.help_assign(by=world["manager_a"], request=proxy, helper=world["chief_a"])
    services.help_close(by=world["chief_a"], request=proxy, result="已代为递交，办件受理")
    proxy.refresh_from_db()
    assert proxy.status == "done" and proxy.closed_at is not None
    users = list(
        proxy.history.order_by("history_id").values_list("history_user__username", "history_change_reason")
    )
    assert users[0] == ("tmanager_a", "登记帮办代办")
    assert users[-1] == ("tchief_a", "帮办代办办结")
    assert [s.action for s in proxy.steps.all()] == ["submit", "assign", "step", "assign", "close"]
    with pytest.raises(WrongState):
        services.help_step_add(by=world["chief_a"], request=proxy, note="再记一笔")


def test_phone_is_encrypted_at_rest_and_masked_in_list_and_export(world, proxy):
    with connection.cursor() as cur:
        cur.execute("SELECT person_phone FROM coordination_helprequest WHERE id = %s", [proxy.pk])
        raw = cur.fetchone()[0]
    assert PHONE not in raw
    c = client_for(world["manager_a"])
    page = c.get("/staff/help/").content.decode()
    assert "138****5678" in page and PHONE not in page
    r = c.get("/staff/help/export.xlsx")
    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(r.content)).active
    cells = [str(v) for row in ws.iter_rows(values_only=True) for v in row if v]
    assert "138****5678" in cells and PHONE not in " ".join(cells) and "王**" in cells
    assert client_for(world["clerk_a"]).get("/staff/help/export.xlsx").status_code == 403
    api = c.get("/api/v1/help-requests").json()["items"][0]
    assert api["person_phone"] == "138****5678"


def test_list_searches_filters_and_sorts(world, proxy):
    services.help_request_submit(
        by=None,
        center=world["a"],
        kind="help",
        group="key_project",
        channel="kiosk",
        name="某重点项目公司",
        phone="02312345678",
        needs="项目审批帮办",
    )
    c = client_for(world["manager_a"])
    assert "某*" in c.get("/staff/help/?q=重点项目").content.decode()
    page = c.get("/staff/help/?kind=proxy").content.decode()
    assert proxy.number in page and "某*" not in page
    items = c.get("/api/v1/help-requests?sort=created_at").json()["items"]
    assert items[0]["number"] == proxy.number
    assert c.get("/api/v1/help-requests?group=key_project").json()["count"] == 1


# ── public doors ──


def test_kiosk_start_page_offers_help_and_its_form_records_a_request(world):
    kiosk = Client().get(f"/kiosk/{world['a'].code}/").content.decode()
    assert f"/kiosk/{world['a'].code}/help/" in kiosk
    r = Client().post(
        f"/kiosk/{world['a'].code}/help/",
        {"kind": "help", "group": "elderly", "name": "张奶奶", "phone": PHONE, "needs": "社保卡挂失"},
    )
    assert r.status_code == 200
    req = HelpRequest.objects.get()
    assert req.channel == "kiosk" and req.status == "new" and req.center == world["a"]
    assert req.number in r.content.decode() and "138****5678" in r.content.decode()
    assert "kiosk-body" in r.content.decode()  # the kiosk frame


def test_phone_form_bad_input_shows_the_message_next_to_the_field(world):
    r = Client().post(
        f"/help/{world['a'].code}/",
        {"kind": "help", "group": "elderly", "name": "张奶奶", "phone": "12345", "needs": "挂失"},
    )
    assert r.status_code == 400
    body = r.content.decode()
    assert 'id="id_phone-error"' in body and "请填写正确的手机号或固定电话" in body
    assert "large-type" in body
    assert not HelpRequest.objects.exists()


def test_public_api_creates_and_refuses_bad_input_in_chinese(world):
    ok = Client().post(
        "/api/v1/public/help-requests",
        {
            "center": world["a"].code,
            "channel": "phone",
            "kind": "proxy",
            "group": "disabled",
            "name": "钱七",
            "phone": PHONE,
            "needs": "代办",
        },
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["number"].startswith("BD2026")
    bad = Client().post(
        "/api/v1/public/help-requests",
        {
            "center": "NOPE",
            "channel": "phone",
            "kind": "proxy",
            "group": "disabled",
            "name": "钱七",
            "phone": PHONE,
            "needs": "代办",
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "没有找到该大厅" in bad.json()["detail"]
    desk = Client().post(
        "/api/v1/public/help-requests",
        {
            "center": world["a"].code,
            "channel": "desk",
            "kind": "help",
            "group": "other",
            "name": "x",
            "phone": PHONE,
            "needs": "x",
        },
        content_type="application/json",
    )
    assert desk.status_code == 422
    assert HelpRequest.objects.count() == 1


# ── staff pages ──


def test_desk_page_records_and_detail_offers_confirmed_close(world):
    c = client_for(world["clerk_a"])
    r = c.post(
        "/staff/help/new/",
        {
            "center": world["a"].pk,
            "channel": "desk",
            "kind": "help",
            "group": "elderly",
            "name": "孙八",
            "phone": PHONE,
            "needs": "陪同办理",
        },
    )
    req = HelpRequest.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/staff/help/{req.number}/")
    assert req.recorded_by == world["clerk_a"] and req.helper is None
    # the recorder sees it, but only the hall's manager assigns
    assert c.get(f"/staff/help/{req.number}/").status_code == 200
    m = client_for(world["manager_a"])
    r = m.post(f"/staff/help/{req.number}/assign/", {"assign-helper": world["clerk_a"].pk})
    assert r.status_code == 302
    detail = c.get(f"/staff/help/{req.number}/").content.decode()
    assert "data-confirm=" in detail and "办结后不能再修改" in detail
    r = c.post(f"/staff/help/{req.number}/close/", {"close-result": ""})
    assert r.status_code == 400 and "必填" in r.content.decode()
    r = c.post(f"/staff/help/{req.number}/close/", {"close-result": "办结"})
    req.refresh_from_db()
    assert r.status_code == 302 and req.status == "done"


def test_figures_by_hall_and_helper(world, proxy):
    services.help_close(by=world["clerk_a"], request=proxy, result="ok")
    services.help_request_submit(
        by=None,
        center=world["b"],
        kind="help",
        group="other",
        channel="kiosk",
        name="周九",
        phone=PHONE,
        needs="x",
    )
    figures = client_for(world["admin"]).get("/api/v1/help-requests/figures").json()
    halls = {r["center__code"]: r for r in figures["by_hall"]}
    assert halls["T-A"]["total"] == 1 and halls["T-A"]["done"] == 1 and halls["T-B"]["new"] == 1
    assert figures["by_helper"] == [
        {**figures["by_helper"][0], "helper__username": "tclerk_a", "total": 1, "done": 1, "proxy": 1}
    ]
    page = client_for(world["manager_a"]).get("/staff/help/figures/").content.decode()
    assert "测试clerk_a" in page or "tclerk_a" in page
    assert client_for(world["clerk_a"]).get("/staff/help/figures/").status_code == 403


def test_helpers_workbench_shows_theirs_and_nav_offers_the_list(world, proxy):
    page = client_for(world["clerk_a"]).get("/staff/").content.decode()
    assert "我负责的帮办代办" in page and "/staff/help/?mine=1" in page
    assert 'href="/staff/help/"' in page
    from govhall.coordination.selectors import help_workbench

    assert help_workbench(world["clerk_b"])["links"][0]["label"] == "登记帮办代办（帮代办窗口）"


def test_api_records_an_authorization_by_multipart_and_refuses_a_fake_scan(world, proxy):
    c = client_for(world["clerk_a"])
    url = f"/api/v1/help-requests/{proxy.number}/authorizations"
    data = {"principal": "王大爷", "agent": "clerk_a", "items": "结婚登记", "valid_until": "2026-12-31"}
    bad = c.post(url, {**data, "file": scan(b"<html>not a scan</html>", "scan.pdf")})
    assert bad.status_code == 400 and "PDF、JPG 或 PNG" in bad.json()["detail"]
    assert not HelpAuthorization.objects.exists()
    ok = c.post(url, {**data, "file": scan()})
    assert ok.status_code == 201 and ok.json()["in_force"] is True
    assert HelpAuthorization.history.filter(history_user=world["clerk_a"]).count() == 1
    assert client_for(world["manager_b"]).post(url, {**data, "file": scan()}).status_code == 404


def test_full_phone_only_with_a_reason_and_every_look_recorded(world, proxy):
    from govhall.core.audit import personal_data_accesses

    c = client_for(world["clerk_a"])
    r = c.post(f"/staff/help/{proxy.number}/reveal/", {"reason": ""})
    assert r.status_code == 400 and "请填写查看原因" in r.content.decode()
    assert not personal_data_accesses(obj=proxy).exists()
    r = c.post(f"/staff/help/{proxy.number}/reveal/", {"reason": "电话联系申请人"})
    assert r.status_code == 200 and PHONE in r.content.decode()
    api = c.post(
        f"/api/v1/help-requests/{proxy.number}/reveal-phone",
        {"reason": "回访"},
        content_type="application/json",
    )
    assert api.json() == {"phone": PHONE}
    assert personal_data_accesses(obj=proxy).count() == 2
    other = client_for(make_user("other_clerk_a2", "clerk", world["a"]))
    assert other.post(f"/staff/help/{proxy.number}/reveal/", {"reason": "x"}).status_code == 404
