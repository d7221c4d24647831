"""Demo coordination for the demo district (合川区), written through the services only.

- 联席会议: one joint meeting convened by the district office (admin) and held two weeks ago,
  with the attendance of the invited halls (婚姻登记分中心 HC-MZ, 人力社保分中心 HC-RS), its
  minutes and three action items: one closed by its owner with evidence (HC-MZ), one open and
  not yet due (HC-RS), one past its due date, red on 电子监察 and on manager_rs's workbench.
- 信息沟通: two notices from the district office to every hall, one read by some halls and
  one asking for a reply (HC-MZ has replied), and one report up from HC-RS.
- 帮办代办: five requests at HC-MZ and HC-RS in every state (待分派, 办理中, 已办结), one of them
  a 代办 with a 委托书 in force, linked to a demo case of HC-MZ.

The past moments are lived under `time_machine`, as the demo's history is. Idempotent: each
record is looked up by its title (or request text) first and not written again. Run after
the centers', catalog's and cases' demo (the 代办 links to a demo case when there is one)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from govhall.accounts.models import Role, User
from govhall.cases.models import Case
from govhall.centers.models import Center
from govhall.core.history import python_clock

from . import services
from .models import ActionItem, HelpRequest, Meeting, Notice

MEETING_TITLE = "2026年第四季度政务服务联席会议（演示）"
MEETING_DAYS_AGO = 14
# (title, owner hall, due: days after the meeting or None for "ten days from today", closed with)
ACTION_ITEMS = [
    (
        "婚姻登记分中心开通周六上午预约办理",
        "HC-MZ",
        10,
        "已于周六上午开放预约办理，首周预约 12 对，预约入口已在公示公开页面公布。",
    ),
    ("人力社保分中心更新帮办代办专区标识和服务指引", "HC-RS", None, ""),
    ("人力社保分中心梳理社保业务一次性告知清单并报区政务办", "HC-RS", 7, ""),
]
NOTICE_READ = "关于做好年末窗口服务保障工作的通知（演示）"
NOTICE_REPLY = "关于报送本季度帮办代办服务情况的通知（演示）"
REPORT_UP = "人力社保分中心本月窗口服务情况报告（演示）"
# (hall, kind, group, channel, recorded by, name, phone, needs, helper, what happens next)
HELP_REQUESTS = [
    (
        "HC-MZ",
        "help",
        "elderly",
        "kiosk",
        None,
        "刘桂芳",
        "13983000101",
        "老人想补领结婚证，不会用自助机填表（演示）",
        None,
        "",
    ),
    (
        "HC-MZ",
        "help",
        "disabled",
        "desk",
        "manager_mz",
        "陈建国",
        "13983000102",
        "轮椅使用者办理婚姻登记，需要工作人员全程陪同（演示）",
        "clerk_mz_b",
        "",
    ),
    (
        "HC-MZ",
        "proxy",
        "elderly",
        "clerk",
        "manager_mz",
        "王秀英",
        "13983000103",
        "子女在外地，委托代办结婚登记档案查询（演示）",
        "clerk_mz",
        "proxy",
    ),
    (
        "HC-RS",
        "help",
        "key_project",
        "phone",
        None,
        "合川智造科技有限公司",
        "023-42881234",
        "重点项目企业新招员工批量参保登记，需要专人辅导（演示）",
        "clerk_rs",
        "close",
    ),
    (
        "HC-RS",
        "help",
        "other",
        "desk",
        "clerk_rs",
        "赵明",
        "13983000105",
        "退休人员养老金资格认证，不会使用手机认证（演示）",
        None,
        "",
    ),
]
SCAN = b"%PDF-1.4\n% demo power of attorney scan\n%%EOF\n"


@contextmanager
def _at(moment: datetime) -> Iterator[None]:
    """Live the block at a past moment (the database's clock does not travel)."""
    with python_clock(), time_machine.travel(moment, tick=False):
        yield


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def load_demo_coordination() -> dict[str, int]:
    """Create what is missing of coordination's demo; never overwrite. Returns counts created."""
    users = {u.username: u for u in User.objects.filter(is_active=True)}
    halls = {c.code: c for c in Center.objects.filter(code__in=["HC", "HC-MZ", "HC-RS"])}
    if "admin" not in users or len(halls) < 3:
        return {"meetings": 0, "action_items": 0, "notices": 0, "help_requests": 0}
    created = _load_meeting(users, halls)
    created["notices"] = _load_notices(users, halls)
    created["help_requests"] = _load_help(users, halls)
    return created


@transaction.atomic
def _load_meeting(users: dict[str, User], halls: dict[str, Center]) -> dict[str, int]:
    if Meeting.objects.filter(title=MEETING_TITLE).exists():
        return {"meetings": 0, "action_items": 0}
    admin = users["admin"]
    held = timezone.localdate() - timedelta(days=MEETING_DAYS_AGO)
    with _at(_moment(held - timedelta(days=5), 10)):
        meeting = services.meeting_convene(
            by=admin,
            title=MEETING_TITLE,
            agenda="一、通报本季度各分中心办件和评价情况；二、部署年末窗口服务保障；三、研究帮办代办专区建设。",
            starts_at=_moment(held, 9, 30),
            place="区政务服务中心三楼会议室",
            centers=[halls["HC-MZ"], halls["HC-RS"]],
            roles=[Role.BRANCH_MANAGER, Role.CHIEF_REP],
        )
    with _at(_moment(held, 11, 30)):
        present = {"HC-MZ": "陈科长、孙磊", "HC-RS": "何科长"}
        services.meeting_record_attendance(
            by=admin,
            meeting=meeting,
            attendance={
                inv.pk: ("present", present.get(inv.center.code if inv.center else "", ""))
                for inv in meeting.invitations.select_related("center")
            },
        )
        services.meeting_record_minutes(
            by=admin,
            meeting=meeting,
            minutes=(
                "会议通报了本季度办件和评价情况，部署年末窗口服务保障工作。会议议定：婚姻登记分中心开通周六"
                "上午预约办理；人力社保分中心更新帮办代办专区标识，并梳理社保业务一次性告知清单报区政务办。"
            ),
        )
        for title, hall, due_after, _ in ACTION_ITEMS:
            if due_after is not None:  # due some days after the meeting: the last one is past due now
                services.action_item_add(
                    by=admin,
                    meeting=meeting,
                    title=title,
                    due_on=held + timedelta(days=due_after),
                    owner_center=halls[hall],
                )
    for title, hall, due_after, _ in ACTION_ITEMS:
        if due_after is None:  # still open and not yet due: due ten days from today
            services.action_item_add(
                by=admin,
                meeting=meeting,
                title=title,
                due_on=timezone.localdate() + timedelta(days=10),
                owner_center=halls[hall],
            )
    closed = ActionItem.objects.get(meeting=meeting, title=ACTION_ITEMS[0][0])
    if "manager_mz" in users:
        with _at(_moment(held + timedelta(days=6), 16)):
            services.action_item_close(by=users["manager_mz"], item=closed, evidence=ACTION_ITEMS[0][3])
    return {"meetings": 1, "action_items": len(ACTION_ITEMS)}


@transaction.atomic
def _load_notices(users: dict[str, User], halls: dict[str, Center]) -> int:
    made = 0
    admin, today = users["admin"], timezone.localdate()
    if not Notice.objects.filter(title=NOTICE_READ).exists():
        with _at(_moment(today - timedelta(days=4), 9)):
            notice = services.notice_send(
                by=admin,
                kind="down",
                title=NOTICE_READ,
                body="各分中心、便民服务中心：年末办件量增加，请合理安排窗口人员，落实首问负责、一次性告知和延时服务，"
                "确保群众办事不积压、不断档。",
                center=halls["HC"],
            )
        made += 1
        for i, name in enumerate(["manager_mz", "clerk_mz", "chiefrep_mz", "manager_rs"]):
            if name in users:
                with _at(_moment(today - timedelta(days=4), 10 + i)):
                    services.notice_read(by=users[name], notice=notice)
    if not Notice.objects.filter(title=NOTICE_REPLY).exists():
        with _at(_moment(today - timedelta(days=2), 9)):
            notice = services.notice_send(
                by=admin,
                kind="down",
                title=NOTICE_REPLY,
                body="请各分中心负责人于期限前回复本季度帮办代办服务人次、主要服务对象和存在的困难。",
                audience=Notice.Audience.ROLES,
                roles=[Role.BRANCH_MANAGER],
                reply_required=True,
                reply_by=today + timedelta(days=5),
                center=halls["HC"],
            )
        made += 1
        if "manager_mz" in users:
            with _at(_moment(today - timedelta(days=1), 15)):
                services.notice_reply(
                    by=users["manager_mz"],
                    notice=notice,
                    text="本季度帮办代办 46 人次，其中老年人 31 人次、残疾人 9 人次；困难：周末预约需求较多。",
                )
    if "manager_rs" in users and not Notice.objects.filter(title=REPORT_UP).exists():
        with _at(_moment(today - timedelta(days=1), 17)):
            services.notice_send(
                by=users["manager_rs"],
                kind="up",
                title=REPORT_UP,
                body="本月人力社保分中心受理办件 1,268 件，按时办结率 99.2%，差评 3 件均已整改。",
                center=halls["HC-RS"],
            )
        made += 1
    return made


@transaction.atomic
def _load_help(users: dict[str, User], halls: dict[str, Center]) -> int:
    made = 0
    for code, kind, group, channel, by, name, phone, needs, helper, then in HELP_REQUESTS:
        hall = halls[code]
        if HelpRequest.objects.filter(center=hall, needs=needs).exists():
            continue
        if (by and by not in users) or (helper and helper not in users):
            continue
        recorder = users[by] if by else None
        handler = users[helper] if helper else None
        req = services.help_request_submit(
            by=recorder,
            center=hall,
            kind=kind,
            group=group,
            channel=channel,
            name=name,
            phone=phone,
            needs=needs,
            helper=handler if recorder is not None else None,
        )
        made += 1
        if handler is not None and recorder is None:  # asked from the kiosk or by phone: the manager assigns
            manager = users.get(f"manager_{code.split('-')[-1].lower()}")
            if manager is not None:
                req = services.help_assign(by=manager, request=req, helper=handler)
        if handler is not None and then == "proxy":
            _proxy(req, handler)
        elif handler is not None and then == "close":
            services.help_step_add(by=handler, request=req, note="电话联系企业，约定到厅辅导时间。")
            services.help_close(by=handler, request=req, result="已辅导企业完成 23 名新员工参保登记。")
    return made


def _proxy(req: HelpRequest, helper: User) -> None:
    """The 代办: a 委托书 in force, and the case applied for under it (a demo case of the hall)."""
    auth = services.help_authorization_add(
        by=helper,
        request=req,
        principal=req.person_name,
        agent=helper.full_name,
        items="婚姻登记档案查询及相关材料领取",
        valid_until=timezone.localdate() + timedelta(days=60),
        file=SimpleUploadedFile("weituoshu.pdf", SCAN, content_type="application/pdf"),
    )
    case = (
        Case.objects.filter(center=req.center, is_demo=True)
        .exclude(status=Case.Status.DRAFT)
        .order_by("id")
        .first()
    )
    if case is not None:
        services.help_case_link(by=helper, request=req, case_number=case.number or "", authorization=auth)
