from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors


@login_required
def center_list(request):
    centers = selectors.centers_list(user=request.user, q=request.GET.get("q", ""))
    return render(request, "centers/staff_list.html", {"centers": centers})
