"""The staff workbench: what each role sees first after logging in."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import workbench_context


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboards/workbench.html", workbench_context(request.user))
