"""信息沟通: notices down to the halls and reports up to the district office, with
read receipts, replies, reminders and checked attachments."""

import io
import logging
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from govhall.coordination import selectors, services
from govhall.coordination.models import Notice, NoticeAttachment, NoticeReceipt
from govhall.core.errors import DomainError, NotFound, Refused, WrongState
from govhall.core.notifications import LogBackend


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def docx_bytes(member: str = "word/document.xml") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(member, "<w:document/>")
    return buf.getvalue()


def send(world, **kw):
    args = {
        "by": world["admin"],
        "kind": "down",
        "title": "关于统一着装的通知",
        "body": "各分中心：请于下周一起统一着装。",
    }
    args.update(kw)
    return services.notice_send(**args)


def names(notice):
    return sorted(notice.receipts.values_list("user__username", flat=True))


# ── recipients and scope ──


def test_notice_to_all_halls_reaches_each_person_holding_a_hall_role_once(world):
    n = send(world)
    # the hub's clerk, the approver and the department leader hold no addressed hall role
    assert names(n) == ["tchief_a", "tclerk_a", "tclerk_b", "tmanager_a", "tmanager_b"]
    assert n.sender_center == world["hub"]
    assert n.history.first().history_user == world["admin"]
    assert NoticeReceipt.history.filter(notice_id=n.pk, history_type="+").count() == 5


def test_notice_to_chosen_halls_and_roles_reaches_only_them(world):
    to_b = send(world, audience="halls", halls=[world["b"]])
    assert names(to_b) == ["tclerk_b", "tmanager_b"]
    latest = to_b.history.order_by("-history_id").first()
    assert [h.center_id for h in latest.halls.all()] == [world["b"].pk]  # the chosen halls are in its history
    assert names(send(world, audience="roles", roles=["branch_manager"])) == ["tmanager_a", "tmanager_b"]


def test_report_goes_up_from_a_branch_manager_to_the_district_office_only(world):
    n = services.notice_send(
        by=world["manager_a"], kind="up", title="婚姻登记分中心月报", body="本月办件 300 件。"
    )
    assert n.audience == "office" and n.sender_center == world["a"]
    assert names(n) == ["tadmin"]
    with pytest.raises(Refused):
        services.notice_send(by=world["clerk_a"], kind="up", title="x", body="y")
    with pytest.raises(Refused):
        services.notice_send(by=world["manager_a"], kind="down", title="x", body="y")


def test_a_branch_sees_only_notices_addressed_to_it(world, other_world):
    n = send(world, audience="halls", halls=[world["a"]])
    assert [r.notice for r in selectors.notice_inbox(world["clerk_a"])] == [n]
    assert list(selectors.notice_inbox(world["clerk_b"])) == []
    for outsider in (world["clerk_b"], world["manager_b"], other_world["admin"]):
        c = client_for(outsider)
        assert c.get(f"/staff/notices/{n.pk}/").status_code == 404
        assert c.get(f"/api/v1/notices/{n.pk}").status_code == 404
        assert c.get(f"/api/v1/notices/{n.pk}/receipts").status_code == 404
        assert c.post(f"/api/v1/notices/{n.pk}/read").status_code == 404
        assert "关于统一着装" not in c.get("/staff/notices/").content.decode()
    assert not NoticeReceipt.objects.filter(user=world["clerk_b"]).exists()
    # a recipient reads the notice but may not track the others
    c = client_for(world["clerk_a"])
    assert c.get(f"/staff/notices/{n.pk}/track/").status_code == 403
    assert c.get(f"/api/v1/notices/{n.pk}/receipts").status_code == 403
    assert c.post(f"/api/v1/notices/{n.pk}/remind").status_code == 403
    assert c.get(f"/staff/notices/{n.pk}/track/export.xlsx").status_code == 403


def test_other_districts_halls_cannot_be_addressed(world, other_world):
    with pytest.raises(DomainError) as e:
        send(world, audience="halls", halls=[other_world["a"]])
    assert e.value.field == "halls"
    assert not Notice.objects.exists()


# ── receipts ──


def test_reading_twice_is_one_receipt_and_the_first_time_is_kept(world):
    n = send(world)
    first = client_for(world["clerk_a"]).get(f"/staff/notices/{n.pk}/")
    assert first.status_code == 200
    r = NoticeReceipt.objects.get(notice=n, user=world["clerk_a"])
    read_at = r.read_at
    assert read_at is not None
    with time_machine.travel(timezone.now() + timedelta(hours=3), tick=False):
        client_for(world["clerk_a"]).get(f"/staff/notices/{n.pk}/")
        api = client_for(world["clerk_a"]).post(f"/api/v1/notices/{n.pk}/read").json()
        services.notice_read(by=world["clerk_a"], notice=n)
    r.refresh_from_db()
    assert r.read_at == read_at
    assert api["read_at"] is not None
    assert NoticeReceipt.objects.filter(notice=n, user=world["clerk_a"]).count() == 1
    assert list(r.history.values_list("history_type", "history_change_reason")) == [
        ("~", "阅读"),
        ("+", "收件"),
    ]
    assert selectors.notice_figures(n)["read"] == 1
    # the sender opening it writes no receipt
    assert client_for(world["admin"]).get(f"/staff/notices/{n.pk}/").status_code == 200
    assert selectors.notice_figures(n)["read"] == 1


def test_reply_once_by_the_date_and_only_when_asked(world):
    due = timezone.localdate() + timedelta(days=3)
    n = send(world, reply_required=True, reply_by=due)
    c = client_for(world["manager_a"])
    bad = c.post(f"/api/v1/notices/{n.pk}/reply", {"text": "  "}, content_type="application/json")
    assert bad.status_code == 400 and "回复内容" in bad.json()["detail"]
    ok = c.post(f"/api/v1/notices/{n.pk}/reply", {"text": "已落实"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["read_at"] is not None
    again = c.post(f"/api/v1/notices/{n.pk}/reply", {"text": "再次回复"}, content_type="application/json")
    assert again.status_code == 409
    r = NoticeReceipt.objects.get(notice=n, user=world["manager_a"])
    assert r.reply_text == "已落实"
    plain = send(world)
    with pytest.raises(WrongState):
        services.notice_reply(by=world["manager_a"], notice=plain, text="收到")
    with pytest.raises(Refused):
        services.notice_reply(by=world["admin"], notice=n, text="发送方不能回复")


def test_reply_page_shows_the_message_next_to_the_field(world):
    n = send(world, reply_required=True, reply_by=timezone.localdate())
    c = client_for(world["clerk_a"])
    resp = c.post(f"/staff/notices/{n.pk}/reply/", {"reply_text": ""})
    assert resp.status_code == 400
    assert 'id="id_reply_text-error"' in resp.content.decode()
    resp = c.post(f"/staff/notices/{n.pk}/reply/", {"reply_text": "收到，已安排"}, follow=True)
    assert "已回复" in resp.content.decode()


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"title": " "}, "title"),
        ({"body": ""}, "body"),
        ({"reply_required": True}, "reply_by"),
        ({"reply_required": True, "reply_by": timezone.localdate() - timedelta(days=1)}, "reply_by"),
        ({"audience": "roles"}, "roles"),
        ({"audience": "halls"}, "halls"),
        ({"roles": ["district_admin"]}, "roles"),
        ({"audience": "everyone"}, "audience"),
    ],
)
def test_bad_notice_is_refused_and_nothing_is_written(world, kw, field):
    with pytest.raises(DomainError) as e:
        send(world, **kw)
    assert field in e.value.errors
    assert not Notice.objects.exists() and not NoticeReceipt.objects.exists()


# ── attachments ──


def test_attachments_are_checked_by_content_size_and_type(world):
    good = SimpleUploadedFile("方案.pdf", PDF)
    word = SimpleUploadedFile("表格.docx", docx_bytes())
    n = send(world, attachments=[good, word])
    assert sorted(n.attachments.values_list("file_type", flat=True)) == ["docx", "pdf"]
    assert NoticeAttachment.history.count() == 2
    cases = [
        (SimpleUploadedFile("程序.exe", b"MZ\x90\x00"), "类型不允许"),
        (SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00" + b"\x00" * 100), "扩展名与文件内容不符"),
        (SimpleUploadedFile("伪装.docx", docx_bytes("xl/workbook.xml")), "扩展名与文件内容不符"),
        (SimpleUploadedFile("伪装.xlsx", PDF), "扩展名与文件内容不符"),
        (SimpleUploadedFile("空.pdf", b""), "空文件"),
        (SimpleUploadedFile("大.pdf", PDF + b"0" * (10 * 1024 * 1024)), "不能超过 10 MB"),
    ]
    before = Notice.objects.count()
    for f, text in cases:
        with pytest.raises(DomainError) as e:
            send(world, attachments=[SimpleUploadedFile("好.pdf", PDF), f])
        assert text in e.value.message and e.value.field == "attachments"
    assert Notice.objects.count() == before


def test_api_refuses_a_forbidden_attachment_with_a_clear_reason(world):
    c = client_for(world["admin"])
    data = {"kind": "down", "title": "附件测试", "body": "见附件", "audience": "all"}
    resp = c.post("/api/v1/notices", {**data, "attachments": [SimpleUploadedFile("a.pdf", b"GIF89a....")]})
    assert resp.status_code == 400
    assert "扩展名与文件内容不符" in resp.json()["detail"]
    assert not Notice.objects.exists()
    resp = c.post("/api/v1/notices", {**data, "attachments": [SimpleUploadedFile("a.pdf", PDF)]})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["attachments"][0]["name"] == "a.pdf"
    url = body["attachments"][0]["url"]
    assert b"".join(client_for(world["clerk_b"]).get(url).streaming_content) == PDF


def test_page_refuses_a_forbidden_attachment_next_to_the_field(world):
    c = client_for(world["admin"])
    resp = c.post(
        "/staff/notices/new/",
        {
            "kind": "down",
            "title": "附件测试",
            "body": "见附件",
            "audience": "all",
            "attachments": [SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00")],
        },
    )
    assert resp.status_code == 400
    page = resp.content.decode()
    assert 'id="id_attachments-error"' in page and "扩展名与文件内容不符" in page
    assert not Notice.objects.exists()


def test_attachment_is_served_only_to_the_sender_and_recipients(world):
    n = send(world, audience="halls", halls=[world["a"]], attachments=[SimpleUploadedFile("a.pdf", PDF)])
    att = n.attachments.get()
    url = f"/staff/notices/{n.pk}/files/{att.pk}/"
    for user in (world["admin"], world["clerk_a"]):
        resp = client_for(user).get(url)
        assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
        assert b"".join(resp.streaming_content) == PDF
    assert client_for(world["clerk_b"]).get(url).status_code == 404
    assert client_for(world["clerk_b"]).get(f"/api/v1/notices/{n.pk}/attachments/{att.pk}").status_code == 404
    assert Client().get(url).status_code == 302  # to the login page


# ── reminders ──


def _phones(world):
    for i, key in enumerate(("manager_a", "clerk_a", "chief_a", "manager_b", "clerk_b")):
        u = world[key]
        u.phone = f"1390000{i:04d}"
        u.save()


def test_reminders_go_only_to_those_who_have_not_read_or_replied(
    world, caplog, django_capture_on_commit_callbacks
):
    _phones(world)
    n = send(world, reply_required=True, reply_by=timezone.localdate() + timedelta(days=2))
    services.notice_read(by=world["clerk_a"], notice=n)  # read, not replied: still reminded
    services.notice_reply(by=world["manager_a"], notice=n, text="已落实")  # done: not reminded
    world["clerk_b"].phone = ""
    world["clerk_b"].save()
    LogBackend.outbox.clear()
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        resp = client_for(world["admin"]).post(f"/api/v1/notices/{n.pk}/remind")
    assert resp.status_code == 200
    assert resp.json() == {"reminded": 3, "no_phone": 1}
    sent = {phone: text for phone, text in LogBackend.outbox}
    assert set(sent) == {world[k].phone for k in ("clerk_a", "chief_a", "manager_b")}
    assert "尚未回复" in sent[world["clerk_a"].phone]
    assert "尚未阅读并回复" in sent[world["chief_a"].phone]
    assert world["manager_a"].phone not in sent
    for phone in sent:
        assert phone not in caplog.text
        assert phone[:3] + "****" + phone[-4:] in caplog.text
    r = NoticeReceipt.objects.get(notice=n, user=world["chief_a"])
    assert r.reminders == 1 and r.history.first().history_change_reason == "提醒阅读并回复"
    assert NoticeReceipt.objects.get(notice=n, user=world["manager_a"]).reminders == 0


def _beijing(day, hour, minute=0):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_reply_date_near_reminds_once_a_day_from_nine_and_not_the_day_it_was_sent(
    world, django_capture_on_commit_callbacks
):
    from govhall.core.extensions import periodic_jobs

    assert services.notices_remind_due in [fn for _, fn in periodic_jobs.registered()]
    _phones(world)
    due = timezone.localdate() + timedelta(days=10)
    with time_machine.travel(_beijing(due - timedelta(days=3), 10), tick=False):
        n = send(world, reply_required=True, reply_by=due)
        services.notice_reply(by=world["manager_a"], notice=n, text="已落实")
    with time_machine.travel(_beijing(due - timedelta(days=1), 10), tick=False):
        late = send(world, title="当日发出的通知", reply_required=True, reply_by=due)
    owing = {"clerk_a", "chief_a", "manager_b", "clerk_b"}

    def run(at):
        LogBackend.outbox.clear()
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            count = services.notices_remind_due()
        return count, {phone for phone, _ in LogBackend.outbox}

    def phones(keys):
        return {world[k].phone for k in keys}

    assert run(_beijing(due - timedelta(days=2), 10)) == (0, set())  # not yet the day before
    assert run(_beijing(due - timedelta(days=1), 8, 30)) == (0, set())  # not before 09:00
    # The day before: everyone still owing, once; `late` was sent today and waits.
    assert run(_beijing(due - timedelta(days=1), 11)) == (4, phones(owing))
    assert run(_beijing(due - timedelta(days=1), 11, 5)) == (0, set())
    r = NoticeReceipt.objects.get(notice=n, user=world["chief_a"])
    assert r.reminders == 1 and r.history.first().history_change_reason == "自动提醒阅读并回复"
    assert r.history.first().history_user is None
    assert not NoticeReceipt.objects.filter(notice=late, reminders__gt=0).exists()
    # The date itself: again to those still owing, now `late` too; a hand reminder that day counts.
    services.notice_reply(by=world["clerk_a"], notice=n, text="已阅")
    with time_machine.travel(_beijing(due, 9, 1), tick=False):
        services.notice_remind(by=world["admin"], notice=late)
    assert run(_beijing(due, 10)) == (3, phones(owing - {"clerk_a"}))
    assert run(_beijing(due + timedelta(days=1), 10)) == (0, set())  # past the date
    assert NoticeReceipt.objects.get(notice=n, user=world["manager_a"]).reminders == 0


def test_nobody_left_to_remind_is_a_clear_refusal(world):
    n = send(world, audience="roles", roles=["branch_manager"])
    for key in ("manager_a", "manager_b"):
        services.notice_read(by=world[key], notice=n)
    with pytest.raises(WrongState):
        services.notice_remind(by=world["admin"], notice=n)
    with pytest.raises(NotFound):
        services.notice_remind(by=world["clerk_b"], notice=n)


def test_tracking_page_remind_button_and_masked_export(world, django_capture_on_commit_callbacks):
    _phones(world)
    n = send(world)
    services.notice_read(by=world["clerk_a"], notice=n)
    c = client_for(world["admin"])
    page = c.get(f"/staff/notices/{n.pk}/track/?status=unread").content.decode()
    assert "tclerk_b" in page and "tclerk_a" not in page
    assert "data-confirm" in page and "一键提醒" in page
    assert "139****0004" in page and "13900000004" not in page
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post(f"/staff/notices/{n.pk}/remind/", follow=True)
    assert "已向 4 位" in resp.content.decode()
    export = c.get(f"/staff/notices/{n.pk}/track/export.xlsx")
    assert export.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(export.content)).active
    cells = [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert "139****0001" in cells and not any("13900000001" in v for v in cells)
    assert "未读" in cells


# ── reached from the workbench ──


def test_inbox_is_reached_from_the_workbench_with_unread_first(world):
    old = send(world, title="旧通知")
    new = send(world, title="新通知")
    services.notice_read(by=world["clerk_a"], notice=new)
    c = client_for(world["clerk_a"])
    bench = c.get("/staff/").content.decode()
    assert "未读通知（1）" in bench and "/staff/notices/" in bench and "信息沟通" in bench
    rows = [r.notice for r in selectors.notice_inbox(world["clerk_a"])]
    assert rows == [old, new]
    page = c.get("/staff/notices/?q=旧").content.decode()
    assert "旧通知" in page and "新通知" not in page
    admin_bench = client_for(world["admin"]).get("/staff/").content.decode()
    assert "/staff/notices/new/" in admin_bench
    assert client_for(world["clerk_a"]).get("/staff/notices/new/").status_code == 403


def test_compose_page_sends_and_opens_the_tracking_page(world):
    c = client_for(world["admin"])
    assert c.get("/staff/notices/new/").status_code == 200
    resp = c.post(
        "/staff/notices/new/",
        {
            "kind": "down",
            "title": "节假日值班安排",
            "body": "请报送值班表。",
            "audience": "halls",
            "halls": [world["b"].pk],
        },
        follow=True,
    )
    assert resp.status_code == 200
    n = Notice.objects.get()
    assert resp.redirect_chain[-1][0] == f"/staff/notices/{n.pk}/track/"
    assert names(n) == ["tclerk_b", "tmanager_b"]
    sent = client_for(world["admin"]).get("/api/v1/notices/sent").json()
    assert sent["items"][0]["recipients"] == 2


def test_api_is_in_the_openapi_document(world):
    doc = client_for(world["admin"]).get("/api/v1/openapi.json").json()
    for path in ("/api/v1/notices", "/api/v1/notices/{pk}/remind", "/api/v1/notices/{pk}/receipts"):
        assert path in doc["paths"]


def test_odd_api_input_is_answered_without_a_server_error(world):
    c = client_for(world["admin"])
    codes = [
        c.get("/api/v1/notices/99999999999999999999999").status_code,
        c.get("/api/v1/notices?q=%00abc").status_code,
        c.post("/api/v1/notices", {"kind": "down", "title": "a\x00b", "body": "x"}).status_code,
        c.post("/api/v1/notices", {"kind": "sideways", "title": "ab", "body": "x"}).status_code,
        c.post(
            "/api/v1/notices",
            {"kind": "down", "title": "ab", "body": "x", "audience": "halls", "halls": ["999999"]},
        ).status_code,
        c.post("/api/v1/notices/1/reply", {"text": "\x00"}, content_type="application/json").status_code,
    ]
    assert codes == [404, 422, 422, 400, 400, 422]
    assert not Notice.objects.exists()


def test_branch_manager_reports_up_from_the_page_and_the_office_replies(world):
    c = client_for(world["manager_a"])
    form = c.get("/staff/notices/new/").content.decode()
    assert "报告（分中心→区政务办）" in form and "指定大厅" not in form
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    resp = c.post(
        "/staff/notices/new/",
        {
            "kind": "up",
            "title": "关于增设自助终端的请示",
            "body": "请予支持。",
            "reply_required": "on",
            "reply_by": due,
        },
    )
    assert resp.status_code == 302
    n = Notice.objects.get()
    assert n.kind == "up" and names(n) == ["tadmin"]
    assert "关于增设自助终端的请示" in client_for(world["admin"]).get("/staff/notices/").content.decode()
    services.notice_reply(by=world["admin"], notice=n, text="同意，列入明年计划。")
    track = c.get(f"/staff/notices/{n.pk}/track/").content.decode()
    assert "同意，列入明年计划。" in track
    assert client_for(world["manager_b"]).get(f"/staff/notices/{n.pk}/").status_code == 404
