from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from govhall.centers.models import Center
from govhall.core.errors import DomainError, NotFound, Refused, WrongState
from govhall.queueing import services
from govhall.queueing.models import Call, Ticket, Window
from govhall.queueing.selectors import ticket_position

pytestmark = pytest.mark.django_db


def take(queue, n=1, **kw):
    return [services.ticket_issue(queue=queue, **kw) for _ in range(n)]


def test_numbers_run_per_queue_and_day_without_gaps(hall):
    a = take(hall["qa"], 3)
    b = take(hall["qb"], 2)
    assert [t.code for t in a] == ["A001", "A002", "A003"]
    assert [t.code for t in b] == ["B001", "B002"]
    assert all(t.day == timezone.localdate() for t in a + b)


def test_double_tap_with_same_key_gives_one_ticket(hall):
    first = services.ticket_issue(queue=hall["qa"], idempotency_key="tap-1")
    again = services.ticket_issue(queue=hall["qa"], idempotency_key="tap-1")
    assert again.pk == first.pk
    assert Ticket.objects.count() == 1
    assert services.ticket_issue(queue=hall["qa"], idempotency_key="tap-2").code == "A002"


def test_same_key_for_another_queue_is_refused(hall):
    services.ticket_issue(queue=hall["qa"], idempotency_key="tap-1")
    with pytest.raises(WrongState) as exc:
        services.ticket_issue(queue=hall["qb"], idempotency_key="tap-1")
    assert exc.value.field == "idempotency_key"
    assert Ticket.objects.count() == 1


def test_priority_ticket_needs_a_reason(hall):
    with pytest.raises(DomainError) as exc:
        services.ticket_issue(queue=hall["qa"], kind="priority")
    assert exc.value.field == "priority_reason"
    assert not Ticket.objects.exists()


def test_no_ticket_in_a_suspended_hall(hall):
    Center.objects.filter(pk=hall["center"].pk).update(status=Center.Status.SUSPENDED)
    hall["qa"].center.refresh_from_db()
    with pytest.raises(WrongState):
        services.ticket_issue(queue=hall["qa"])
    assert not Ticket.objects.exists()


def test_bad_phone_for_sms_is_refused(hall):
    with pytest.raises(DomainError) as exc:
        services.ticket_issue(queue=hall["qa"], phone="12345")
    assert exc.value.field == "phone"
    assert not Ticket.objects.exists()


def test_clerk_of_another_hall_cannot_issue_on_behalf(hall):
    with pytest.raises((Refused, NotFound)):
        services.ticket_issue(queue=hall["qa"], by=hall["clerk_b"], channel="clerk")
    assert not Ticket.objects.exists()


# --- calling -------------------------------------------------------------------


def test_call_next_calls_in_order_and_records_who_and_where(hall, open_w1):
    a1, a2 = take(hall["qa"], 2)
    called = services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    assert called.pk == a1.pk
    called.refresh_from_db()
    assert called.status == Ticket.Status.CALLED
    assert called.window_id == open_w1.pk and called.called_by == hall["clerk_a"] and called.called_at
    call = Call.objects.get()
    assert call.announcement == "请A001号到1号窗口办理"
    services.ticket_start(window=open_w1, by=hall["clerk_a"])
    done = services.ticket_finish(window=open_w1, by=hall["clerk_a"])
    assert done.status == Ticket.Status.DONE and done.finished_by == hall["clerk_a"]
    assert done.called_at <= done.served_at <= done.finished_at
    # PostgreSQL stamps taken_at with its own clock, which the tests' moved clock cannot move.
    if connection.vendor != "postgresql":
        assert done.taken_at <= done.called_at
    assert services.ticket_call_next(window=open_w1, by=hall["clerk_a"]).pk == a2.pk


def test_call_next_with_nobody_waiting_returns_none(hall, open_w1):
    assert services.ticket_call_next(window=open_w1, by=hall["clerk_a"]) is None


def test_calling_from_a_closed_window_is_refused(hall):
    take(hall["qa"])
    with pytest.raises(WrongState):
        services.ticket_call_next(window=hall["w2"], by=hall["clerk_a"])
    assert Ticket.objects.get().status == Ticket.Status.WAITING


def test_calling_from_a_paused_window_is_refused(hall, open_w1):
    take(hall["qa"])
    services.window_pause(window=open_w1, by=hall["clerk_a"], reason="午休")
    with pytest.raises(WrongState):
        services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    services.window_resume(window=open_w1, by=hall["clerk_a"])
    assert services.ticket_call_next(window=open_w1, by=hall["clerk_a"]).code == "A001"


def test_clerk_of_another_hall_cannot_open_or_call(hall, open_w1):
    take(hall["qa"])
    with pytest.raises(NotFound):  # another hall's window is not revealed
        services.window_open(window=hall["w2"], by=hall["clerk_b"])
    with pytest.raises(NotFound):
        services.ticket_call_next(window=open_w1, by=hall["clerk_b"])
    assert Ticket.objects.get().status == Ticket.Status.WAITING
    hall["w2"].refresh_from_db()
    assert hall["w2"].status == Window.Status.CLOSED


def test_manager_is_not_a_window_clerk(hall):
    with pytest.raises(Refused):
        services.window_open(window=hall["w2"], by=hall["manager_a"])


def test_another_clerk_cannot_work_a_window_someone_opened(hall, open_w1):
    from tests.support import make_user

    other = make_user("tclerk_a2", "clerk", hall["center"])
    take(hall["qa"])
    with pytest.raises(WrongState):
        services.window_open(window=open_w1, by=other)
    with pytest.raises(Refused):
        services.ticket_call_next(window=open_w1, by=other)


def test_one_clerk_one_open_window(hall, open_w1):
    with pytest.raises(WrongState):
        services.window_open(window=hall["w2"], by=hall["clerk_a"])


def test_two_windows_never_call_the_same_ticket(hall, open_w1):
    from tests.support import make_user

    other = make_user("tclerk_a2", "clerk", hall["center"])
    w2 = services.window_open(window=hall["w2"], by=other)
    take(hall["qa"], 2)
    t1 = services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    t2 = services.ticket_call_next(window=w2, by=other)
    assert {t1.code, t2.code} == {"A001", "A002"}


def test_must_finish_current_before_calling_next(hall, open_w1):
    take(hall["qa"], 2)
    services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    with pytest.raises(WrongState):
        services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    with pytest.raises(WrongState):
        services.window_close(window=open_w1, by=hall["clerk_a"])


def test_priority_overtakes_by_the_rule_and_normal_tickets_still_move(hall, open_w1):
    normal = take(hall["qa"], 3)
    fast = take(hall["qa"], 5, kind="priority", priority_reason="elderly")
    order = []
    for _ in range(8):
        t = services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
        order.append(t.code)
        services.ticket_finish(window=open_w1, by=hall["clerk_a"])
    # rule: at most 2 priority calls in a row while normal tickets wait
    assert order == ["A004", "A005", "A001", "A006", "A007", "A002", "A008", "A003"]
    assert {t.code for t in normal + fast} == set(order)


def test_priority_goes_first_when_no_normal_waits(hall, open_w1):
    take(hall["qa"], 3, kind="priority", priority_reason="disabled")
    codes = []
    for _ in range(3):
        codes.append(services.ticket_call_next(window=open_w1, by=hall["clerk_a"]).code)
        services.ticket_finish(window=open_w1, by=hall["clerk_a"])
    assert codes == ["A001", "A002", "A003"]


def test_recall_announces_again_without_a_new_ticket(hall, open_w1):
    take(hall["qa"])
    services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    t = services.ticket_recall(window=open_w1, by=hall["clerk_a"])
    assert t.call_count == 2
    assert Call.objects.filter(is_recall=True).count() == 1


def test_no_show_is_recorded_and_the_next_one_called(hall, open_w1):
    take(hall["qa"], 2)
    services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    gone = services.ticket_no_show(window=open_w1, by=hall["clerk_a"])
    assert gone.status == Ticket.Status.NO_SHOW and gone.finished_at
    assert services.ticket_call_next(window=open_w1, by=hall["clerk_a"]).code == "A002"


def test_no_show_after_service_started_is_refused(hall, open_w1):
    take(hall["qa"])
    services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    services.ticket_start(window=open_w1, by=hall["clerk_a"])
    with pytest.raises(WrongState):
        services.ticket_no_show(window=open_w1, by=hall["clerk_a"])
    assert Ticket.objects.get().status == Ticket.Status.SERVING


def test_transfer_to_another_queue_keeps_the_place(hall, open_w1):
    a1 = take(hall["qa"])[0]
    b1, b2 = take(hall["qb"], 2)
    Ticket.objects.filter(pk=a1.pk).update(sort_at=timezone.now() - timedelta(minutes=30))
    services.ticket_call_next(window=open_w1, by=hall["clerk_a"])  # A001, the oldest
    moved = services.ticket_transfer(window=open_w1, by=hall["clerk_a"], to_queue=hall["qb"])
    assert moved.queue == hall["qb"] and moved.status == Ticket.Status.WAITING and moved.code == "A001"
    assert services.ticket_call_next(window=open_w1, by=hall["clerk_a"]).pk == a1.pk


def test_transfer_to_a_window_only_that_window_calls_it(hall, open_w1):
    from tests.support import make_user

    take(hall["qa"])
    services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    services.ticket_transfer(window=open_w1, by=hall["clerk_a"], to_window=hall["w2"])
    assert services.ticket_call_next(window=open_w1, by=hall["clerk_a"]) is None
    other = make_user("tclerk_a2", "clerk", hall["center"])
    services.window_open(window=hall["w2"], by=other)
    assert services.ticket_call_next(window=hall["w2"], by=other).code == "A001"


def test_transfer_to_another_halls_queue_is_refused(hall, open_w1):
    foreign = services.queue_create(by=None, center=hall["b"], letter="A", name="社保")
    take(hall["qa"])
    services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    with pytest.raises(DomainError) as exc:
        services.ticket_transfer(window=open_w1, by=hall["clerk_a"], to_queue=foreign)
    assert exc.value.field == "to_queue"
    assert Ticket.objects.get().status == Ticket.Status.CALLED


def test_position_and_wait_estimate_from_recent_service(hall, open_w1):
    take(hall["qa"], 4)
    services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    Ticket.objects.filter(code="A001").update(called_at=timezone.now() - timedelta(minutes=10))
    services.ticket_finish(window=open_w1, by=hall["clerk_a"])
    last = Ticket.objects.get(code="A004")
    pos = ticket_position(last)
    assert pos["ahead"] == 2
    assert pos["open_windows"] == 1
    assert pos["wait_minutes"] == 20  # 2 ahead x 10 min / 1 window


def test_sms_sent_once_when_few_are_ahead(hall, open_w1):
    from govhall.core.notifications import LogBackend

    LogBackend.outbox.clear()
    take(hall["qa"], 4)
    t5 = services.ticket_issue(queue=hall["qa"], phone="13800138000")
    services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    services.sms_remind_ahead(queue_ids=[hall["qa"].id])
    assert LogBackend.outbox[-1][0] == "13800138000"
    assert services.sms_remind_ahead(queue_ids=[hall["qa"].id]) == 0
    t5.refresh_from_db()
    assert t5.sms_sent_at is not None


def test_history_records_each_step(hall, open_w1):
    t = take(hall["qa"])[0]
    services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    services.ticket_finish(window=open_w1, by=hall["clerk_a"])
    reasons = list(t.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == ["取号", "叫号到1号窗口", "办结"]


def test_clerk_cannot_change_the_items_a_queue_covers(hall):
    with pytest.raises(Refused):
        services.queue_set_items(by=hall["clerk_a"], queue=hall["qa"], items=[])
    services.queue_set_items(by=hall["manager_a"], queue=hall["qa"], items=[])
    assert hall["qa"].history.first().history_change_reason == "设置覆盖事项"


def test_merging_a_branch_moves_its_queues_windows_and_tickets(hall):
    from govhall.centers import merging

    b = Center.objects.get(pk=hall["b"].pk)
    qb = services.queue_create(by=None, center=b, letter="A", name="社保")
    services.window_create(by=None, center=b, number=1, name="社保窗口", queues=[qb])
    t = services.ticket_issue(queue=qb)
    merging.move_everything(old=b, new=hall["center"], by=None)
    qb.refresh_from_db()
    assert qb.center == hall["center"] and qb.letter == "C"  # A and B are taken in the surviving hall
    assert sorted(hall["center"].windows.values_list("number", flat=True)) == [1, 2, 3]
    t.refresh_from_db()
    assert t.center == hall["center"] and t.queue == qb
    assert merging.rows_left_behind(b) == {}


def test_taking_a_ticket_is_recorded_in_its_history(hall):
    first = services.ticket_issue(queue=hall["qa"])
    by_clerk = services.ticket_issue(queue=hall["qa"], channel=Ticket.Channel.CLERK, by=hall["clerk_a"])
    stored = Ticket.objects.get(pk=by_clerk.pk)
    assert (stored.number, stored.code, stored.sort_at, stored.taken_at) == (
        2,
        "A002",
        by_clerk.sort_at,
        by_clerk.taken_at,
    )
    assert stored.sort_at == stored.taken_at >= Ticket.objects.get(pk=first.pk).taken_at
    record = stored.history.get()
    assert record.history_type == "+" and record.history_change_reason == "取号"
    assert record.history_user == hall["clerk_a"] and record.history_date == stored.taken_at
    assert (record.number, record.code, record.status, record.queue_id) == (
        2,
        "A002",
        "waiting",
        hall["qa"].id,
    )
    assert first.history.get().history_user is None


def test_a_finishing_note_is_checked_like_any_typed_field(hall, open_w1):
    take(hall["qa"])
    services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    with pytest.raises(DomainError) as exc:
        services.ticket_finish(window=open_w1, by=hall["clerk_a"], note="备" * 201)
    assert exc.value.field == "note"
    assert Ticket.objects.get().status == Ticket.Status.CALLED


def test_a_call_is_recorded_with_who_and_where(hall, open_w1):
    take(hall["qa"])
    services.ticket_call_next(window=open_w1, by=hall["clerk_a"])
    services.ticket_recall(window=open_w1, by=hall["clerk_a"])
    calls = list(Call.objects.order_by("id").values_list("window_id", "by_id", "is_recall"))
    assert calls == [(open_w1.pk, hall["clerk_a"].pk, False), (open_w1.pk, hall["clerk_a"].pk, True)]
