from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from govhall.centers.demo import load_demo
from govhall.queueing.demo import load_demo_queueing
from govhall.staffing.demo import load_demo_staffing
from govhall.staffing.models import Post


def test_demo_posts_every_window_of_the_marriage_hall_and_loads_twice_without_change(db):
    load_demo()
    load_demo_queueing()
    first = load_demo_staffing()
    assert first["posts"] == 6 and first["users"] == 2
    assert first["starts"] == 5 and first["weights"] == 1
    assert set(load_demo_staffing().values()) == {0}
    posts = {
        (p.window.number, p.role): p.user.username for p in Post.objects.select_related("window", "user")
    }
    assert posts[(1, "A")] == "clerk_mz" and posts[(1, "B")] == "clerk_mz_b"
    assert "clerk_mz_c" not in posts.values()


# In the morning of a working day: after the hall closes, today's go-live day itself counts
# those who did not clock in as absent, so the test would depend on the hour it runs at.
@time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
def test_demo_attendance_starts_at_the_go_live_and_the_weights_are_confirmed(db):
    from django.utils import timezone

    from govhall.centers.models import Center
    from govhall.staffing import selectors
    from govhall.staffing.assessment import weights_for
    from govhall.staffing.models import WeightSet

    load_demo()
    load_demo_queueing()
    load_demo_staffing()
    hall = Center.objects.get(code="HC-MZ")
    today = timezone.localdate()
    assert selectors.attendance_go_live(hall) == today
    sheet = selectors.attendance_sheet(hall, today)
    # Nothing before the demo's go-live counts as absence.
    assert all(r["totals"]["absent"] == 0 for r in sheet["rows"])
    ws = WeightSet.objects.get(department=hall.department)
    assert (
        ws.status == "confirmed"
        and ws.proposed_by.username == "admin"
        and ws.decided_by.username == "leader_mz"
    )
    assert weights_for(hall).weight_set == ws
