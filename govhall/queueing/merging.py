"""When a branch is merged into another (centers.merging), its queues and
windows move to the surviving hall. Letters and window numbers are unique per
hall, so a queue or window whose letter or number is taken there gets the next
free one; tickets, calls, slots and appointments follow by plain re-pointing.
The hall's own queue rules stay with the merged hall's record.

The moves save with `validate=False`: the merge itself chose the new hall and
a letter or number free there, the only fields that change."""

from string import ascii_uppercase

from govhall.core.history import save_recorded


def _letters():
    yield from ascii_uppercase
    for a in ascii_uppercase:
        for b in ascii_uppercase:
            yield a + b


def move_queues(*, old, new, by) -> None:
    from .models import Queue

    taken = set(Queue.objects.filter(center=new).values_list("letter", flat=True))
    for queue in Queue.objects.filter(center=old).order_by("order", "letter"):
        if queue.letter in taken:
            queue.letter = next(x for x in _letters() if x not in taken)
        taken.add(queue.letter)
        queue.center = new
        save_recorded(queue, by=by, reason=f"随{old.name}并入", validate=False)


def move_windows(*, old, new, by) -> None:
    from .models import Window

    taken = set(Window.objects.filter(center=new).values_list("number", flat=True))
    for window in Window.objects.filter(center=old).order_by("number"):
        if window.number in taken:
            window.number = max(taken) + 1
        taken.add(window.number)
        window.center = new
        save_recorded(window, by=by, reason=f"随{old.name}并入", validate=False)


def register() -> None:
    from govhall.centers import merging

    merging.keep("queueing.HallRules")
    merging.register("queueing.Queue", move_queues)
    merging.register("queueing.Window", move_windows)
