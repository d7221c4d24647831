"""Every coordination model that keeps history is listed on the audit page (/staff/audit/)."""

from django.apps import apps

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
