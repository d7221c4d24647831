"""queueing's answer to catalog's `item_windows`: where an item is handled,
read from the window register (the queues covering the item, and the windows
serving those queues — only for the item when a window lists its own items)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from govhall.catalog.extensions import ItemPlace, ServingQueue, ServingWindow
from govhall.centers.models import Center

from .models import AppointmentSlot, Queue, Window


def item_places_from_register(*, item: Any) -> list[ItemPlace]:
    """One place per open hall with an active queue covering `item` that some
    window serves; queues no window calls for the item are left out."""
    queues = (
        Queue.objects.filter(items=item, is_active=True, center__status=Center.Status.ACTIVE)
        .annotate(
            has_slots=Exists(
                AppointmentSlot.objects.filter(queue=OuterRef("pk"), date__gte=timezone.localdate())
            )
        )
        .select_related("center")
        .prefetch_related(
            Prefetch("windows", queryset=Window.objects.order_by("number").prefetch_related("items"))
        )
        .order_by("center__code", "order", "letter")
    )
    places: dict[int, tuple[Center, list[ServingQueue]]] = {}
    for queue in queues:
        windows = tuple(
            ServingWindow(number=w.number, name=w.name)
            for w in queue.windows.all()
            # A window that lists its own items serves only those (blank: what its queues cover).
            if not w.items.all() or any(i.pk == item.pk for i in w.items.all())
        )
        if windows:
            center = queue.center
            places.setdefault(center.pk, (center, []))[1].append(
                ServingQueue(letter=queue.letter, name=queue.name, windows=windows, bookable=queue.has_slots)
            )
    return [
        ItemPlace(center_code=center.code, center_name=center.name, queues=tuple(found))
        for center, found in places.values()
    ]
