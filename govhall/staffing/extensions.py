"""What staffing asks of the apps above it (see core.extensions)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from govhall.core.extensions import ExtensionPoint


@dataclass(frozen=True)
class Measure:
    """One indicator of one person's month, measured by another app."""

    value: str  # what was counted, in words ("按时办结率 95.0%")
    score: Decimal | float | None  # out of 100; None: measured, but nothing to count this month (不计入)
    explanation: str  # how the score is computed


AssessmentSource = Callable[..., dict[str, Measure]]

assessment_sources: ExtensionPoint[AssessmentSource] = ExtensionPoint(
    "assessment sources",
    "Indicators of a month's assessment that other apps measure. Each source is called as "
    "source(user=, center=, start=, end=) and returns {indicator code: Measure} for what it measured "
    "for that person (an empty dict when nothing). An indicator no source measures is shown as "
    "尚未接入 and left out of the weighted mean, never counted as zero; a source that is connected "
    "but found nothing to count this month answers a Measure with score None (无数据, left out). "
    "cases gives the on-time rate; feedback gives ratings and complaints.",
)


def measures_for(*, user: Any, center: Any, start: date, end: date) -> dict[str, Measure]:
    """Every registered source's measures of `user` at `center` from `start` to `end`."""
    found: dict[str, Measure] = {}
    for _, source in assessment_sources.registered():
        found.update(source(user=user, center=center, start=start, end=end))
    return found
