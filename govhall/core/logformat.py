"""Log lines in Beijing time: a formatter whose timestamps are in settings.TIME_ZONE
(Asia/Shanghai) with the offset written out, whatever the server's own clock zone."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings


class BeijingTimeFormatter(logging.Formatter):
    """`%(asctime)s` as ISO 8601 in the site's zone, e.g. 2026-12-07T11:43:18.123+08:00."""

    default_fmt = "%(asctime)s %(levelname)s %(name)s %(message)s"

    def __init__(self, fmt: str | None = None, datefmt: str | None = None, style: str = "%", **kwargs):
        super().__init__(fmt or self.default_fmt, datefmt, style, **kwargs)  # type: ignore[arg-type]

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        zone = ZoneInfo(getattr(settings, "TIME_ZONE", None) or "Asia/Shanghai")
        moment = datetime.fromtimestamp(record.created, tz=zone)
        if datefmt:
            return moment.strftime(datefmt)
        return moment.isoformat(timespec="milliseconds")
