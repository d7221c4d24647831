"""Rollups: the cockpit's figures per hall and day, kept by `rollups.rollup_days`
(the periodic job recomputes today and yesterday; `manage.py rollup_rebuild` a range).

A rollup row is derived data: it is replaced as a whole, never edited, so it keeps no
history. No unique constraint binds (center, day): when halls merge the merge walker
re-points these rows like any other, and the next recompute of those days replaces them.
"""

from django.conf import settings
from django.db import models

# Waiting-time histogram: bucket i holds waits shorter than WAIT_EDGES[i] minutes (and at
# least the previous edge); the last bucket holds the rest. p90 read from it is an upper
# bound: "九成群众等候不超过 N 分钟" with N an edge, exact whenever the true p90 is below an edge.
WAIT_EDGES = (1, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120)
WAIT_BUCKETS = len(WAIT_EDGES) + 1


def empty_hist() -> list[int]:
    return [0] * WAIT_BUCKETS


class HallDay(models.Model):
    """One hall on one day: tickets, waiting, cases, staff, ratings and complaints."""

    center = models.ForeignKey("centers.Center", on_delete=models.CASCADE, related_name="rollup_days")
    day = models.DateField("日期")
    # Tickets (by the day they were taken).
    tickets = models.PositiveIntegerField("取号", default=0)
    served = models.PositiveIntegerField("办结", default=0)
    no_show = models.PositiveIntegerField("过号未到", default=0)
    waited = models.PositiveIntegerField("已叫号（计入等候）", default=0)
    wait_seconds = models.BigIntegerField("等候总秒数", default=0)
    wait_hist = models.JSONField("等候分布", default=empty_hist)
    # Cases (by the local day of each event).
    cases_submitted = models.PositiveIntegerField("提交", default=0)
    cases_accepted = models.PositiveIntegerField("受理", default=0)
    cases_done = models.PositiveIntegerField("办结", default=0)
    cases_done_on_time = models.PositiveIntegerField("按期办结", default=0)
    cases_done_with_deadline = models.PositiveIntegerField("有期限的办结", default=0)
    cases_overdue = models.PositiveIntegerField("日终超期未办结", default=0)
    warned_yellow = models.PositiveIntegerField("黄牌预警", default=0)
    warned_red = models.PositiveIntegerField("红牌预警", default=0)
    cases_by_state = models.JSONField("办件状态（计算时）", default=dict)
    # Staff: windows with posts, windows covered all day, half-day gaps (opening days only).
    posts = models.PositiveIntegerField("设岗窗口", default=0)
    on_duty = models.PositiveIntegerField("全天有人窗口", default=0)
    gaps = models.PositiveIntegerField("缺岗半天", default=0)
    # Ratings and complaints (answered by feedback through core.extensions.hall_day_figures).
    ratings = models.PositiveIntegerField("评价", default=0)
    ratings_bad = models.PositiveIntegerField("差评", default=0)
    rect_open = models.PositiveIntegerField("差评整改未办结", default=0)
    rect_overdue = models.PositiveIntegerField("差评整改超期", default=0)
    complaints = models.PositiveIntegerField("投诉", default=0)
    # The hall's standardisation score when computed (kept on today's row only).
    standard_score = models.PositiveSmallIntegerField("标准化得分（计算时）", null=True)
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    class Meta:
        verbose_name = "大厅日统计"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["day", "center"], name="hallday_day_center")]

    def __str__(self) -> str:
        return f"{self.center_id} {self.day}"


class HallHour(models.Model):
    """One hall, one day, one hour of the day (local, of taking): tickets and waiting."""

    center = models.ForeignKey("centers.Center", on_delete=models.CASCADE, related_name="rollup_hours")
    day = models.DateField("日期")
    hour = models.PositiveSmallIntegerField("时")
    tickets = models.PositiveIntegerField("取号", default=0)
    waited = models.PositiveIntegerField("已叫号", default=0)
    wait_seconds = models.BigIntegerField("等候总秒数", default=0)
    wait_hist = models.JSONField("等候分布", default=empty_hist)

    class Meta:
        verbose_name = "大厅分时统计"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["day", "center"], name="hallhour_day_center")]

    def __str__(self) -> str:
        return f"{self.center_id} {self.day} {self.hour}:00"


class ServedDay(models.Model):
    """Tickets finished (办结) on one day at one window by one clerk."""

    center = models.ForeignKey("centers.Center", on_delete=models.CASCADE, related_name="rollup_served")
    day = models.DateField("日期")
    window = models.ForeignKey("queueing.Window", on_delete=models.CASCADE, null=True, related_name="+")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    served = models.PositiveIntegerField("办结", default=0)

    class Meta:
        verbose_name = "窗口人员日办结"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["day", "center"], name="servedday_day_center")]

    def __str__(self) -> str:
        return f"{self.center_id} {self.day} {self.window_id} {self.clerk_id}"
