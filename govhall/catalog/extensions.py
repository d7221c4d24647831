"""What the catalog asks of the apps above it (see core.extensions).

Where to go for an item (办理窗口) is one fact kept once: in the halls' window
register (queueing's queues, the items each covers, and the windows that serve
them). The guide page, its PDF and the guide API ask `item_windows` instead of
a hand-typed text that could contradict the register."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from govhall.core.extensions import ExtensionPoint

NO_WINDOW = "请到综合窗口或咨询服务台"


@dataclass(frozen=True)
class ServingWindow:
    """A window of the register: its number and name (e.g. 1, 结婚登记窗口)."""

    number: int
    name: str

    @property
    def label(self) -> str:
        return f"{self.number}号窗口（{self.name}）" if self.name else f"{self.number}号窗口"


@dataclass(frozen=True)
class ServingQueue:
    """A queue that covers the item, and the windows that call it for the item."""

    letter: str
    name: str
    windows: tuple[ServingWindow, ...]
    bookable: bool = False  # the queue has appointment slots from today on (the guide offers 预约)

    @property
    def text(self) -> str:
        return f"取{self.letter}字头号（{self.name}），到{'、'.join(w.label for w in self.windows)}办理"


@dataclass(frozen=True)
class ItemPlace:
    """Where a hall handles the item: its queues and windows; none → `NO_WINDOW`."""

    center_code: str
    center_name: str
    queues: tuple[ServingQueue, ...] = ()

    @property
    def bookable(self) -> bool:
        return any(q.bookable for q in self.queues)

    @property
    def text(self) -> str:
        where = "；".join(q.text for q in self.queues) or NO_WINDOW
        return f"{self.center_name}：{where}"


item_windows: ExtensionPoint[Callable[..., list[ItemPlace]]] = ExtensionPoint(
    "item windows",
    "Where is this service item handled? Each answer is called as answer(item=) -> list[ItemPlace], "
    "one per hall with the queues covering the item and the windows serving them; queueing answers "
    "from its window register. With no answer, the item's own hall is shown with "
    f"“{NO_WINDOW}”.",
)


def item_places(item: Any) -> list[ItemPlace]:
    """Every hall where `item` is handled, its own hall first: the answers of
    `item_windows` merged by hall; its own hall, when no answer names it, with
    the fallback text rather than an invented window."""
    by_center: dict[str, ItemPlace] = {}
    for _, answer in item_windows.registered():
        for place in answer(item=item):
            known = by_center.get(place.center_code)
            queues = (known.queues if known else ()) + place.queues
            by_center[place.center_code] = ItemPlace(place.center_code, place.center_name, queues)
    own = item.center
    home = by_center.pop(own.code, None) or ItemPlace(own.code, own.name)
    return [home, *sorted(by_center.values(), key=lambda p: p.center_code)]


def item_windows_text(item: Any) -> str:
    """The places as one line each (the PDF and the API's `windows`)."""
    return "\n".join(place.text for place in item_places(item))


@dataclass(frozen=True)
class ItemSatisfaction:
    """The item's 好差评 over the last `months` months: the share of ratings that
    are not bad (None when there are none) and how many there were."""

    rate: float | None
    count: int
    months: int = 12

    @property
    def text(self) -> str:
        if not self.count or self.rate is None:
            return "暂无评价"
        return f"满意度 {self.rate:.1f}%（近 {self.months} 个月 {self.count} 条评价）"


item_satisfaction: ExtensionPoint[Callable[..., ItemSatisfaction | None]] = ExtensionPoint(
    "item satisfaction",
    "How satisfied were people with this item? Each answer is called as answer(item=) -> "
    "ItemSatisfaction or None; the first one counts. With no answer the guide shows nothing.",
)


def satisfaction_of(item: Any) -> ItemSatisfaction | None:
    for _, answer in item_satisfaction.registered():
        got = answer(item=item)
        if got is not None:
            return got
    return None
