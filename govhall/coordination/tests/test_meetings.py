"""联席会议: the district office convenes halls, records attendance, minutes and decisions;
each decision has one owner and a due date, shows yellow/red as it nears and passes, is
seen only by the invited halls and its owner (pages, API, export), and is closed by its
owner with evidence — every change in its history."""

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from govhall.cases.extensions import supervision_extra
from govhall.coordination import selectors, services
from govhall.coordination.models import ActionItem, Meeting, MeetingInvitation
from govhall.core.errors import DomainError, NotFound, Refused, WrongState
from govhall.dashboards.nav import visible_entries

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def today():
    return timezone.localdate()


def convene(world, *centers, title="第一季度分中心联席会议"):
    return services.meeting_convene(
        by=world["admin"],
        title=title,
        agenda="一、通报办件情况\n二、部署标准化建设",
        starts_at=timezone.now() + timedelta(days=1),
        place="区政务服务中心三楼会议室",
        centers=centers or [world["a"], world["b"]],
        roles=["branch_manager", "department_leader"],
    )


def decide(world, meeting, *, days=10, **owner):
    owner = owner or {"owner_center": world["a"]}
    return services.action_item_add(
        by=world["admin"],
        meeting=meeting,
        title="完善婚姻登记分中心无障碍设施",
        due_on=today() + timedelta(days=days),
        **owner,
    )


def test_district_office_convenes_two_branches_and_every_step_is_in_history(world):
    m = convene(world)
    assert m.district_id == world["district"].pk and m.status == Meeting.Status.CONVENED
    invs = {i.center_id: i for i in m.invitations.all()}
    assert set(invs) == {world["a"].pk, world["b"].pk}
    services.meeting_record_attendance(
        by=world["admin"],
        meeting=m,
        attendance={invs[world["a"].pk].pk: ("present", "陈科长"), invs[world["b"].pk].pk: ("excused", "")},
    )
    services.meeting_record_minutes(
        by=world["admin"], meeting=m, minutes="会议议定：各分中心完成无障碍改造。"
    )
    x = decide(world, m)
    m.refresh_from_db()
    assert m.status == Meeting.Status.HELD
    assert MeetingInvitation.objects.get(pk=invs[world["a"].pk].pk).attendance == "present"
    assert [h.history_change_reason for h in m.history.order_by("history_date")] == [
        "召集联席会议",
        "登记会议纪要",
    ]
    assert m.history.latest().history_user == world["admin"]
    assert invs[world["a"].pk].history.count() == 2  # invited, then attendance recorded
    assert x.history.get().history_user == world["admin"]


def test_only_the_district_office_convenes_and_runs_meetings(world):
    with pytest.raises(Refused):
        services.meeting_convene(
            by=world["manager_a"],
            title="自行召集",
            agenda="议程",
            starts_at=timezone.now(),
            place="会议室",
            centers=[world["a"]],
            roles=["branch_manager"],
        )
    m = convene(world)
    with pytest.raises(Refused):  # invited: sees the meeting, may not run it
        services.meeting_record_minutes(by=world["manager_a"], meeting=m, minutes="纪要")
    c = client_for(world["manager_a"])
    assert c.get(reverse("coordination:meeting_new")).status_code == 403
    r = c.post(
        f"/api/v1/meetings/{m.pk}/minutes", json.dumps({"minutes": "纪要"}), content_type="application/json"
    )
    assert r.status_code == 403 and "区政务办" in r.json()["detail"]
    r = c.post(
        "/api/v1/meetings",
        json.dumps(
            {
                "title": "t",
                "agenda": "a",
                "starts_at": "2026-12-20T09:00:00+08:00",
                "place": "p",
                "center_ids": [world["a"].pk],
                "roles": ["branch_manager"],
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 403
    assert Meeting.objects.count() == 1


def test_another_district_office_cannot_see_or_invite_our_halls(world, other_world):
    m = convene(world)
    with pytest.raises(NotFound):
        services.meeting_convene(
            by=other_world["admin"],
            title="跨区",
            agenda="议程",
            starts_at=timezone.now(),
            place="会议室",
            centers=[world["a"]],
            roles=["branch_manager"],
        )
    c = client_for(other_world["admin"])
    assert c.get(f"/staff/meetings/{m.pk}/").status_code == 404
    assert c.get(f"/api/v1/meetings/{m.pk}").status_code == 404
    assert c.post(f"/staff/meetings/{m.pk}/minutes/", {"minutes": "x"}).status_code == 404


def test_convene_bad_input_is_refused_in_chinese_and_nothing_is_written(world):
    c = client_for(world["admin"])
    r = c.post(
        "/api/v1/meetings",
        json.dumps(
            {
                "title": "季度会",
                "agenda": "议程",
                "starts_at": "2026-12-20T09:00:00+08:00",
                "place": "会议室",
                "center_ids": [],
                "roles": ["branch_manager"],
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 400 and "至少邀请一个中心" in r.json()["detail"]
    r = c.post(
        "/api/v1/meetings",
        json.dumps(
            {
                "title": "季度会",
                "agenda": "议程",
                "starts_at": "2026-12-20T09:00:00+08:00",
                "place": "会议室",
                "center_ids": [world["a"].pk, 999999],
                "roles": ["branch_manager"],
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 400
    r = c.post(
        reverse("coordination:meeting_new"),
        {
            "title": "",
            "place": "会议室",
            "agenda": "议程",
            "centers": [world["a"].pk],
            "roles": ["branch_manager"],
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "请填写会议名称" in html and 'id="id_title-error"' in html
    r = c.post(
        reverse("coordination:meeting_new"),
        {
            "title": "季度会",
            "starts_at": "2026-12-20T09:00",
            "place": "会议室",
            "agenda": "议程",
            "roles": ["applicant"],
        },
    )
    assert r.status_code == 400
    assert Meeting.objects.count() == 0 and MeetingInvitation.objects.count() == 0


def test_page_convenes_and_adds_a_decision(world):
    c = client_for(world["admin"])
    r = c.post(
        reverse("coordination:meeting_new"),
        {
            "title": "标准化建设联席会议",
            "starts_at": "2026-12-20T09:30",
            "place": "三楼会议室",
            "agenda": "部署标准化建设",
            "centers": [world["a"].pk, world["b"].pk],
            "departments": [world["dep_a"].pk],
            "roles": ["branch_manager", "department_leader"],
        },
    )
    assert r.status_code == 302
    m = Meeting.objects.get()
    assert m.invitations.count() == 3
    detail = c.get(r["Location"]).content.decode()
    assert "标准化建设联席会议" in detail and "录入议定事项" in detail
    due = (today() + timedelta(days=7)).isoformat()
    r = c.post(
        f"/staff/meetings/{m.pk}/decisions/", {"title": "", "owner_center": world["a"].pk, "due_on": due}
    )
    assert r.status_code == 400 and "请填写议定事项" in r.content.decode()
    r = c.post(
        f"/staff/meetings/{m.pk}/decisions/",
        {
            "title": "更新办事指南",
            "owner_center": world["a"].pk,
            "owner_user": world["clerk_a"].pk,
            "due_on": due,
        },
    )
    assert r.status_code == 400 and "三选一" in r.content.decode()
    assert ActionItem.objects.count() == 0
    r = c.post(
        f"/staff/meetings/{m.pk}/decisions/",
        {"title": "更新办事指南", "owner_center": world["a"].pk, "due_on": due},
    )
    assert r.status_code == 302
    x = ActionItem.objects.get()
    assert x.owner_center == world["a"] and x.created_by == world["admin"]


def test_action_item_needs_exactly_one_owner_of_the_district_and_a_due_date_not_past(world, other_world):
    m = convene(world)
    with pytest.raises(DomainError, match="三选一"):
        decide(world, m, owner_center=world["a"], owner_department=world["dep_a"])
    with pytest.raises(DomainError, match="三选一"):
        services.action_item_add(by=world["admin"], meeting=m, title="x", due_on=today())
    with pytest.raises(DomainError, match="本区县"):
        decide(world, m, owner_center=other_world["a"])
    with pytest.raises(DomainError, match="本区县"):
        decide(world, m, owner_user=other_world["clerk_a"])
    with pytest.raises(DomainError, match="早于今天"):
        decide(world, m, days=-1)
    r = client_for(world["admin"]).post(
        f"/api/v1/meetings/{m.pk}/action-items",
        json.dumps({"title": "x", "due_on": today().isoformat()}),
        content_type="application/json",
    )
    assert r.status_code == 400 and "三选一" in r.json()["detail"]
    assert ActionItem.objects.count() == 0
    r = client_for(world["admin"]).post(
        f"/api/v1/meetings/{m.pk}/action-items",
        json.dumps({"title": "培训", "due_on": today().isoformat(), "owner_user_id": world["clerk_a"].pk}),
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["owner_kind"] == "person" and r.json()["level"] == "yellow"


def test_attendance_present_needs_the_attendee_and_unknown_invitees_are_refused(world):
    m = convene(world)
    inv = m.invitations.first()
    with pytest.raises(DomainError, match="参会人"):
        services.meeting_record_attendance(by=world["admin"], meeting=m, attendance={inv.pk: ("present", "")})
    with pytest.raises(DomainError):
        services.meeting_record_attendance(by=world["admin"], meeting=m, attendance={inv.pk: ("late", "x")})
    other = convene(world, world["b"], title="另一次会议").invitations.get()
    with pytest.raises(DomainError, match="邀请名单"):
        services.meeting_record_attendance(
            by=world["admin"], meeting=m, attendance={other.pk: ("absent", "")}
        )
    r = client_for(world["admin"]).post(
        f"/staff/meetings/{m.pk}/attendance/", {f"attendance_{inv.pk}": "present", f"attendee_{inv.pk}": ""}
    )
    assert r.status_code == 400 and "出席时请填写参会人" in r.content.decode()
    inv.refresh_from_db()
    assert inv.attendance == "" and inv.history.count() == 1


def test_yellow_when_the_due_date_is_near_red_when_past(world):
    m = convene(world)
    far, near, past = decide(world, m, days=10), decide(world, m, days=2), decide(world, m, days=0)
    ActionItem.objects.filter(pk=past.pk).update(due_on=today() - timedelta(days=1))
    levels = {x.pk: x.level for x in selectors.action_items_with_level(ActionItem.objects.all())}
    assert levels == {far.pk: "", near.pk: "yellow", past.pk: "red"}
    past.refresh_from_db()
    assert past.level_on(today()) == "red" and near.level_on(today()) == "yellow"
    rows = supervision_extra(world["manager_a"])
    mine = [r for r in rows if r["kind"] == "联席会议议定事项"]
    assert [r["level"] for r in mine] == ["red", "yellow"]
    assert [r["level"] for r in supervision_extra(world["admin"]) if r["kind"] == "联席会议议定事项"] == [
        "red",
        "yellow",
    ]
    services.action_item_close(by=world["manager_a"], item=past, evidence="已完成改造")
    assert [r["level"] for r in supervision_extra(world["manager_a"]) if r["kind"] == "联席会议议定事项"] == [
        "yellow"
    ]
    page = client_for(world["manager_a"]).get(reverse("cases:supervision")).content.decode()
    assert "联席会议议定事项" in page


def test_a_branch_sees_only_its_own_meetings_items_page_api_export(world):
    ours = convene(world, world["a"], title="婚姻登记专题会")
    theirs = convene(world, world["b"], title="人力社保专题会")
    mine = decide(world, ours, owner_center=world["a"])
    hidden = services.action_item_add(
        by=world["admin"],
        meeting=theirs,
        title="社保窗口增设自助终端",
        due_on=today() + timedelta(days=5),
        owner_center=world["b"],
    )
    c = client_for(world["manager_a"])
    page = c.get("/staff/action-items/").content.decode()
    assert mine.title in page and hidden.title not in page
    meetings = c.get("/staff/meetings/").content.decode()
    assert "婚姻登记专题会" in meetings and "人力社保专题会" not in meetings
    assert c.get(f"/staff/action-items/{hidden.pk}/").status_code == 404
    assert c.get(f"/staff/meetings/{theirs.pk}/").status_code == 404
    api = c.get("/api/v1/action-items").json()
    assert [r["id"] for r in api["items"]] == [mine.pk]
    assert c.get(f"/api/v1/action-items/{hidden.pk}").status_code == 404
    assert [r["id"] for r in c.get("/api/v1/meetings").json()["items"]] == [ours.pk]
    assert c.post(f"/api/v1/action-items/{hidden.pk}/close", {"evidence": "x"}).status_code == 404
    for url in ("/staff/action-items/export.xlsx", "/api/v1/action-items/export"):
        r = c.get(url)
        assert r.status_code == 200
        ws = load_workbook(io.BytesIO(r.content)).active
        titles = [row[2] for row in ws.iter_rows(min_row=2, values_only=True)]
        assert titles == [mine.title]
    # The district office sees both, grouped by owner.
    admin = client_for(world["admin"])
    assert {r["id"] for r in admin.get("/api/v1/action-items").json()["items"]} == {mine.pk, hidden.pk}
    owners = {r["owner"] for r in admin.get("/api/v1/action-items/by-owner").json()}
    assert owners == {world["a"].name, world["b"].name}
    ws = load_workbook(io.BytesIO(admin.get("/staff/action-items/export.xlsx").content)).active
    assert ws.max_row == 3


def test_cancel_only_a_meeting_not_held_and_without_decisions(world):
    m = convene(world)
    assert "取消会议" in client_for(world["admin"]).get(f"/staff/meetings/{m.pk}/").content.decode()
    r = client_for(world["manager_a"]).post(f"/api/v1/meetings/{m.pk}/cancel")
    assert r.status_code == 403
    held = convene(world, title="已开的会")
    decide(world, held)
    r = client_for(world["admin"]).post(f"/api/v1/meetings/{held.pk}/cancel")
    assert r.status_code == 409 and "议定事项" in r.json()["detail"]
    assert client_for(world["admin"]).post(f"/staff/meetings/{m.pk}/cancel/").status_code == 302
    m.refresh_from_db()
    assert m.status == Meeting.Status.CANCELLED and m.history.latest().history_change_reason == "取消会议"
    with pytest.raises(WrongState):
        decide(world, m)
    with pytest.raises(WrongState):
        services.meeting_record_minutes(by=world["admin"], meeting=m, minutes="纪要")


def test_owner_closes_with_evidence_others_are_refused(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    m = convene(world)
    x = decide(world, m, owner_center=world["a"])
    # Invited but not the owner: sees it, may not close it.
    r = client_for(world["manager_b"]).post(f"/api/v1/action-items/{x.pk}/close", {"evidence": "已完成"})
    assert r.status_code == 403
    assert (
        client_for(world["admin"]).post(f"/staff/action-items/{x.pk}/close/", {"evidence": "x"}).status_code
        == 403
    )
    c = client_for(world["manager_a"])
    detail = c.get(f"/staff/action-items/{x.pk}/").content.decode()
    assert "data-confirm" in detail and "办结销号" in detail
    r = c.post(f"/staff/action-items/{x.pk}/close/", {"evidence": "  "})
    assert r.status_code == 400 and "请填写办结佐证" in r.content.decode()
    bad = SimpleUploadedFile("proof.pdf", b"not a pdf at all", content_type="application/pdf")
    r = c.post(f"/staff/action-items/{x.pk}/close/", {"evidence": "已完成", "evidence_file": bad})
    assert r.status_code == 400 and "内容与扩展名不符" in r.content.decode()
    x.refresh_from_db()
    assert x.status == ActionItem.Status.OPEN and x.history.count() == 1
    proof = SimpleUploadedFile("proof.pdf", b"%PDF-1.4 proof", content_type="application/pdf")
    r = c.post(
        f"/staff/action-items/{x.pk}/close/", {"evidence": "已完成无障碍坡道改造", "evidence_file": proof}
    )
    assert r.status_code == 302
    x.refresh_from_db()
    assert x.status == "closed" and x.closed_by == world["manager_a"] and x.evidence_file
    assert x.history.latest().history_change_reason == "办结销号"
    assert c.get(f"/staff/action-items/{x.pk}/evidence/").status_code == 200
    r = c.post(f"/api/v1/action-items/{x.pk}/close", {"evidence": "再次"})
    assert r.status_code == 409
    with pytest.raises(WrongState):
        services.action_item_close(by=world["manager_a"], item=x, evidence="again")


def test_department_and_person_owners_close_through_the_api(world):
    m = convene(world, world["b"])
    dep_item = decide(world, m, owner_department=world["dep_a"])
    person_item = decide(world, m, owner_user=world["clerk_a"])
    # The department's leader answers for it though their hall was not invited.
    leader = client_for(world["leader_a"])
    assert dep_item.pk in [r["id"] for r in leader.get("/api/v1/action-items?mine=true").json()["items"]]
    r = leader.post(f"/api/v1/action-items/{dep_item.pk}/close", {"evidence": "部门已统筹完成"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    clerk = client_for(world["clerk_a"])
    assert [r["id"] for r in clerk.get("/api/v1/action-items").json()["items"]] == [person_item.pk]
    r = clerk.post(f"/api/v1/action-items/{person_item.pk}/close", {"evidence": ""})
    assert r.status_code == 400 and "办结佐证" in r.json()["detail"]
    r = clerk.post(f"/api/v1/action-items/{person_item.pk}/close", {"evidence": "已参加培训"})
    assert r.status_code == 200 and r.json()["closed_by"]


def test_workbench_shows_the_owner_their_items_and_the_district_office_its_counts(world):
    m = convene(world)
    x = decide(world, m, owner_center=world["a"], days=1)
    page = client_for(world["manager_a"]).get(reverse("dashboards:workbench")).content.decode()
    assert "我的督办事项（1）" in page and x.title in page
    page = client_for(world["manager_b"]).get(reverse("dashboards:workbench")).content.decode()
    assert "我的督办事项" not in page
    page = client_for(world["admin"]).get(reverse("dashboards:workbench")).content.decode()
    assert "议定事项督办（1）" in page and "黄牌 1" in page
    services.action_item_close(by=world["manager_a"], item=x, evidence="完成")
    page = client_for(world["manager_a"]).get(reverse("dashboards:workbench")).content.decode()
    assert "我的督办事项" not in page


def test_workbench_lists_meetings_to_attend_for_the_invited_roles(world):
    m = convene(world, world["a"])  # branch managers and department leaders invited
    page = client_for(world["manager_a"]).get(reverse("dashboards:workbench")).content.decode()
    assert "待参加的联席会议（1）" in page and m.title in page
    assert selectors.meetings_to_attend(world["chief_a"]) == []  # chief reps were not invited
    assert selectors.meetings_to_attend(world["manager_b"]) == []  # hall b was not invited
    services.meeting_record_minutes(by=world["admin"], meeting=m, minutes="纪要")
    assert selectors.meetings_to_attend(world["manager_a"]) == []


def test_nav_offers_meetings_to_management_and_items_to_staff(world):
    def labels(u):
        return {e["label"] for e in visible_entries(u)}

    assert {"联席会议", "议定事项督办"} <= labels(world["admin"])
    assert {"联席会议", "议定事项督办"} <= labels(world["manager_a"])
    assert "联席会议" not in labels(world["clerk_a"]) and "议定事项督办" in labels(world["clerk_a"])
    assert client_for(world["clerk_a"]).get("/staff/meetings/").status_code == 403


def test_lists_search_sort_and_page(world):
    for i in range(23):
        convene(world, world["a"], title=f"例会{i:02d}")
    c = client_for(world["admin"])
    r = c.get("/staff/meetings/?q=例会05").content.decode()
    assert "例会05" in r and "例会06" not in r
    r = c.get("/staff/meetings/?sort=title&page=2").content.decode()
    assert "例会22" in r and "第 2 / 2 页" in r
    assert c.get("/api/v1/meetings?limit=0").status_code == 422
    assert len(c.get("/api/v1/meetings?limit=5").json()["items"]) == 5


def test_api_is_in_the_openapi_document(world):
    paths = client_for(world["admin"]).get("/api/v1/openapi.json").json()["paths"]
    for p in ("/api/v1/meetings", "/api/v1/meetings/{pk}/action-items", "/api/v1/action-items/{pk}/close"):
        assert p in paths


def test_odd_ids_and_values_are_4xx_never_500(world):
    m = convene(world)
    c = client_for(world["admin"])
    huge = 2**70
    assert c.get(f"/api/v1/meetings/{huge}").status_code in (404, 422)
    assert c.get(f"/api/v1/action-items/{huge}").status_code in (404, 422)
    assert c.get(f"/api/v1/action-items?meeting_id={huge}").status_code in (200, 422)
    assert c.get("/api/v1/action-items?level=purple&sort=nonsense&owner_kind=x").status_code == 200
    for payload in (
        {"title": "x", "due_on": today().isoformat(), "owner_center_id": huge},
        {"title": "x", "due_on": today().isoformat(), "owner_user_id": -1},
        {"title": "x" * 301, "due_on": today().isoformat(), "owner_center_id": world["a"].pk},
    ):
        r = c.post(
            f"/api/v1/meetings/{m.pk}/action-items", json.dumps(payload), content_type="application/json"
        )
        assert r.status_code in (400, 422), (payload, r.status_code)
    r = c.post(
        "/api/v1/meetings",
        json.dumps(
            {
                "title": "t",
                "agenda": "a",
                "starts_at": "2026-12-20T09:00:00+08:00",
                "place": "p",
                "center_ids": [huge],
                "department_ids": [huge],
                "roles": ["branch_manager"],
            }
        ),
        content_type="application/json",
    )
    assert r.status_code in (400, 422)
    r = c.post(
        f"/api/v1/meetings/{m.pk}/attendance",
        json.dumps({"rows": [{"invitation_id": huge, "attendance": "present", "attendee": "x"}]}),
        content_type="application/json",
    )
    assert r.status_code in (400, 422)
    assert c.get("/staff/action-items/?meeting=99999999999999999999999").status_code == 200
    assert c.get("/staff/meetings/?page=abc&sort=zzz").status_code == 200
    assert ActionItem.objects.count() == 0
