"""评价与投诉 (issue 17): where a citizen rates, complains and tracks a complaint."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from govhall.centers.selectors import centers_public


@require_GET
def public_feedback(request):
    return render(request, "feedback/public_feedback.html", {"centers": centers_public()})
