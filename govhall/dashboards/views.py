"""The staff workbench: what each role sees first after logging in."""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from govhall.accounts.models import User

from .selectors import hall_waiting, managed_hall, workbench_context


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    return render(request, "dashboards/workbench.html", workbench_context(user))


@login_required
@require_GET
def hall_waiting_live(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager's "who waits now" block of one hall, polled by the workbench (htmx)."""
    center = managed_hall(cast(User, request.user), pk)
    if center is None:
        raise Http404("没有找到该中心，或您无权查看。")
    return render(
        request, "dashboards/_workbench_waiting.html", {"h": {"center": center, **hall_waiting(center)}}
    )
