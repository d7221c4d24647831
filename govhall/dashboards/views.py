"""The staff workbench: what each role sees first after logging in."""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from govhall.accounts.models import User

from .selectors import workbench_context


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required: never anonymous here
    return render(request, "dashboards/workbench.html", workbench_context(user))
