"""Coordination's demo: a held joint meeting with a red action item, notices read and
replied to, a report up, help requests in every state; a second load writes nothing."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from govhall.accounts.models import User
from govhall.cases.demo import load_demo_cases
from govhall.cases.models import Case
from govhall.catalog.demo import load_demo_catalog
from govhall.centers.demo import load_demo
from govhall.coordination import selectors
from govhall.coordination.demo import (
    MEETING_TITLE,
    NOTICE_READ,
    NOTICE_REPLY,
    REPORT_UP,
    load_demo_coordination,
)
from govhall.coordination.models import ActionItem, HelpRequest, Meeting, MeetingInvitation, Notice

pytestmark = pytest.mark.django_db(transaction=False)


def _coordination_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in {"coordination", "core"} or m._meta.label == "cases.Case"
    }


def test_coordination_demo_tells_its_story_and_a_second_load_writes_nothing():
    load_demo()
    load_demo_catalog()
    load_demo_cases()
    created = load_demo_coordination()
    assert created == {"meetings": 1, "action_items": 3, "notices": 3, "help_requests": 5}
    today = timezone.localdate()

    meeting = Meeting.objects.get(title=MEETING_TITLE)
    assert meeting.status == Meeting.Status.HELD and meeting.minutes
    assert timezone.localtime(meeting.starts_at).date() == today - timedelta(days=14)
    assert set(meeting.invitations.values_list("attendance", flat=True)) == {
        MeetingInvitation.Attendance.PRESENT
    }
    items = ActionItem.objects.filter(meeting=meeting)
    closed = items.get(status=ActionItem.Status.CLOSED)
    assert closed.evidence and closed.closed_by.username == "manager_mz"
    open_items = items.filter(status=ActionItem.Status.OPEN)
    assert sorted(i.due_on > today for i in open_items) == [False, True]
    # The overdue one is red for its owner's manager and on 电子监察.
    manager_rs = User.objects.get(username="manager_rs")
    levels = dict(selectors.action_items_with_level(open_items).values_list("title", "level"))
    assert sorted(levels.values()) == ["", "red"]
    assert any(i.due_on < today for i in selectors.action_items_owned_by(manager_rs))

    read = Notice.objects.get(title=NOTICE_READ)
    assert read.receipts.filter(read_at__isnull=False).count() == 4
    assert read.receipts.filter(read_at__isnull=True).exists()
    reply = Notice.objects.get(title=NOTICE_REPLY)
    assert reply.reply_required and reply.receipts.filter(replied_at__isnull=False).count() == 1
    assert Notice.objects.get(title=REPORT_UP).kind == Notice.Kind.UP

    requests = HelpRequest.objects.filter(needs__endswith="（演示）")
    assert set(requests.values_list("center__code", flat=True)) == {"HC-MZ", "HC-RS"}
    assert set(requests.values_list("status", flat=True)) == {"new", "assigned", "done"}
    proxy = requests.get(kind=HelpRequest.Kind.PROXY)
    link = proxy.case_links.get()
    assert link.authorization.valid_until > today and link.case.center == proxy.center
    assert Case.objects.filter(pk=link.case_id, is_demo=True).exists()

    before = _coordination_counts()
    assert load_demo_coordination() == {"meetings": 0, "action_items": 0, "notices": 0, "help_requests": 0}
    assert _coordination_counts() == before
