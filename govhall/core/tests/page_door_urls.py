"""Views for test_page_errors: each raises what a service would."""

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path

from govhall.core.errors import DomainError, NotFound, Refused, WrongState
from govhall.core.forms import AccessibleForm
from govhall.core.page_errors import errors_show_on


class NameForm(AccessibleForm):
    name = forms.CharField(label="名称")


def not_found(request):
    raise NotFound("没有找到该记录，或您无权查看。")


def refused(request):
    raise Refused("只有区政务办可以这样做。")


def with_form(request):
    form = NameForm(request.POST or None)
    ctx = {"form": form}
    if request.method == "POST" and form.is_valid():
        errors_show_on(request, "core/tests/name_form.html", ctx, form=form)
        if form.cleaned_data["name"] == "wrong":
            raise WrongState("该记录已办结，不能再改。")
        raise DomainError("名称已被占用。", field="name")
    return render(request, "core/tests/name_form.html", ctx)


def without_page(request):
    raise DomainError("不能这样做。")


def ok(request):
    return HttpResponse("ok")


urlpatterns = [
    path("t/not-found/", not_found),
    path("t/refused/", refused),
    path("t/form/", with_form),
    path("t/bare/", without_page),
    path("t/ok/", ok),
    path("", include("config.urls")),
]
