"""Log lines carry Beijing time (+08:00), whatever the process's own clock zone."""

import logging
import logging.config
import os
import time
from datetime import UTC, datetime

from django.conf import settings

from govhall.core.logformat import BeijingTimeFormatter


def _record(at: datetime) -> logging.LogRecord:
    record = logging.LogRecord("govhall.test", logging.WARNING, __file__, 1, "办件 %s", ("HC-1",), None)
    record.created = at.timestamp()
    record.msecs = 0
    return record


def test_a_record_is_formatted_in_beijing_time_even_when_the_process_runs_in_utc():
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        line = BeijingTimeFormatter().format(_record(datetime(2026, 12, 7, 3, 30, tzinfo=UTC)))
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()
    assert line.startswith("2026-12-07T11:30:00.000+08:00 WARNING govhall.test 办件 HC-1")


def test_the_settings_console_handler_uses_the_beijing_formatter():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    console = settings.LOGGING["handlers"]["console"]
    formatter = settings.LOGGING["formatters"][console["formatter"]]
    assert formatter["()"] == "govhall.core.logformat.BeijingTimeFormatter"
    logging.config.dictConfig(settings.LOGGING)
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler.formatter, BeijingTimeFormatter)
    assert "+08:00" in handler.format(_record(datetime(2026, 1, 1, 16, 0, tzinfo=UTC)))
    assert handler.format(_record(datetime(2026, 1, 1, 16, 0, tzinfo=UTC))).startswith("2026-01-02T00:00")
