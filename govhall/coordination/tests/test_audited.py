"""Every coordination model that keeps history is listed on the audit page (/staff/audit/)."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from govhall.coordination import services
from govhall.core.audit import AUDITED, audited_models


def test_every_coordination_model_with_history_is_audited():
    with_history = {
        m._meta.label
        for m in apps.get_app_config("coordination").get_models()
        if hasattr(m, "history") and not m._meta.label.split(".")[1].startswith("Historical")
    }
    assert {"coordination.Notice", "coordination.Meeting", "coordination.ActionItem"} <= with_history
    assert with_history <= set(AUDITED.values())
    shown = {key for key, _ in audited_models()}
    assert {"notice", "meeting", "action_item", "help_request", "help_authorization"} <= shown


@pytest.mark.django_db
def test_the_audit_page_shows_a_meeting_and_its_decision(world):
    meeting = services.meeting_convene(
        by=world["admin"],
        title="审计可见的联席会议",
        agenda="一、通报办件情况",
        starts_at=timezone.now() + timedelta(days=1),
        place="区政务服务中心三楼会议室",
        centers=[world["a"]],
        roles=["branch_manager"],
    )
    services.action_item_add(
        by=world["admin"],
        meeting=meeting,
        title="完善无障碍设施",
        due_on=timezone.localdate() + timedelta(days=5),
        owner_center=world["a"],
    )
    client = Client()
    client.force_login(world["admin"])
    for key, reason in (("meeting", "召集联席会议"), ("action_item", "录入议定事项")):
        page = client.get("/staff/audit/", {"model": key})
        assert page.status_code == 200, key
        assert reason in page.content.decode(), key
