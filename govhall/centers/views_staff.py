"""Staff pages of the register and of branch changes. Every list comes from a
selector scoped to the user; every write goes through a service. A view keeps
only the happy path: a DomainError a service raises is answered by the page
door (core.page_errors) — next to the field it names, with a 4xx status."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from govhall.accounts.models import User
from govhall.core.errors import NotFound, Refused
from govhall.core.history import changed_fields
from govhall.core.masking import mask_phone
from govhall.core.page_errors import errors_show_on
from govhall.core.pages import query_with, xlsx_response

from . import selectors, services
from .forms import (
    AliasForm,
    CenterEditForm,
    CenterFilterForm,
    CenterForm,
    ChangeForm,
    FacilitiesForm,
    HoursExceptionForm,
    HoursForm,
    LeadershipForm,
    StatusForm,
    ZonesForm,
)
from .models import Center, CenterChange
from .permissions import access_center, may_at_center

PAGE_SIZE = 25
SORT_COLUMNS = [
    ("name", "名称"),
    ("code", "编码"),
    ("kind", "类型"),
    ("status", "状态"),
    ("updated", "更新时间"),
]


def _me(request: HttpRequest) -> User:
    """The signed-in user (every view below is login_required: never anonymous)."""
    return cast(User, request.user)


def _page(request: HttpRequest, qs: QuerySet[Any]) -> Page:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _dated(name: str) -> str:
    return f"{name}-{timezone.localdate():%Y%m%d}.xlsx"


# --- the register -------------------------------------------------------------


def _register(request: HttpRequest) -> tuple[CenterFilterForm, QuerySet[Center], str]:
    form = CenterFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else {"q": "", "kind": "", "status": "", "department": None}
    sort = request.GET.get("sort", "kind")
    if sort not in selectors.SORTS:
        sort = "kind"
    return form, selectors.centers_list(user=request.user, sort=sort, **filters), sort


def _sort_columns(request: HttpRequest, sort: str) -> list[dict[str, Any]]:
    columns = []
    for key, label in SORT_COLUMNS:
        current = sort.lstrip("-") == key
        descending = current and sort.startswith("-")
        columns.append(
            {
                "label": label,
                "current": current,
                "aria_sort": ("descending" if descending else "ascending") if current else None,
                "url": query_with(request, sort=key if descending or not current else f"-{key}", page=None),
            }
        )
    return columns


@login_required
def center_list(request: HttpRequest) -> HttpResponse:
    form, qs, sort = _register(request)
    context = {
        "form": form,
        "page": _page(request, qs),
        "sort_columns": _sort_columns(request, sort),
        "sort": sort,
        "export_url": reverse("centers:export") + query_with(request, page=None, sort=sort),
    }
    template = (
        "centers/staff_list.html#results" if getattr(request, "htmx", False) else "centers/staff_list.html"
    )
    return render(request, template, context)


REGISTER_HEADER = [
    "名称",
    "编码",
    "类型",
    "状态",
    "业务主管部门",
    "上级中心",
    "地址",
    "咨询电话",
    "原有名称",
    "分管班子成员",
    "分管班子成员电话",
    "负责科级干部",
    "负责科级干部电话",
    "更新时间",
]


def _register_rows(qs: QuerySet[Center]) -> Iterator[list[Any]]:
    for c in qs:
        leaders = {p.role: p for p in c.leadership.all()}
        leader, cadre = leaders.get("leader"), leaders.get("cadre")
        yield [
            c.name,
            c.code,
            c.get_kind_display(),
            c.get_status_display(),
            c.department.name if c.department else "",
            c.parent.name if c.parent else "",
            c.address,
            c.phone,
            "、".join(a.name for a in c.aliases.all()),
            f"{leader.name}（{leader.title}）" if leader else "",
            mask_phone(leader.phone) if leader else "",
            f"{cadre.name}（{cadre.title}）" if cadre else "",
            mask_phone(cadre.phone) if cadre else "",
            timezone.localtime(c.updated_at).strftime("%Y-%m-%d %H:%M"),
        ]


@login_required
def center_export(request: HttpRequest) -> HttpResponse:
    _, qs, _ = _register(request)
    return xlsx_response(_dated("中心登记"), "中心登记", REGISTER_HEADER, _register_rows(qs))


def _visible_center(request: HttpRequest, code: str) -> Center:
    center = selectors.center_public_get(code)
    if center is None:
        raise NotFound("没有找到该中心。")
    return access_center(request.user, center, action="view")


# The manage panel: each form, the service that saves it (a form's `service_args()` are its
# keyword arguments) and what the page says afterwards.
CENTER_FORMS: dict[str, tuple[type[CenterForm], Callable[..., object], str]] = {
    "info": (CenterEditForm, services.center_update, "已保存中心信息。"),
    "hours": (HoursForm, services.center_set_hours, "已保存办公时间。"),
    "exception": (HoursExceptionForm, services.center_set_hours_exception, "已保存办公时间例外。"),
    "zones": (ZonesForm, services.center_set_zones, "已保存功能区。"),
    "facilities": (FacilitiesForm, services.center_set_facilities, "已保存便民设施。"),
    "leadership": (LeadershipForm, services.leadership_set, "已保存分管领导。"),
    "alias": (AliasForm, services.center_add_alias, "已添加原有名称。"),
    "status": (StatusForm, services.center_set_status, "已更改状态。"),
}


def _center_forms(center: Center, bound: dict[str, CenterForm]) -> dict[str, CenterForm]:
    """The forms of the manage panel, pre-filled from the center; `bound` replaces some."""
    initial = {
        "info": {
            "name": center.name,
            "address": center.address,
            "phone": center.phone,
            "description": center.description,
        },
        "zones": {"kinds": [z.kind for z in center.zones.all()]},
        "facilities": {"kinds": [f.kind for f in center.facilities.all()]},
        "status": {
            "status": Center.Status.SUSPENDED
            if center.status == Center.Status.ACTIVE
            else Center.Status.ACTIVE
        },
    }
    return {
        name: bound[name] if name in bound else cls(prefix=name, initial=initial.get(name), center=center)
        for name, (cls, _, _) in CENTER_FORMS.items()
    }


# The hall's page in sections (issue 17): the overview first, then one tab per manage form. Each
# tab is a plain link (?tab=…) that renders the page with that section open; a failed POST opens
# the tab of the form that failed. The tab names are the form names of CENTER_FORMS.
CENTER_TABS: list[tuple[str, str]] = [
    ("overview", "概况"),
    ("info", "基本信息"),
    ("hours", "办公时间"),
    ("exception", "时间例外"),
    ("zones", "功能区"),
    ("facilities", "便民设施"),
    ("leadership", "分管领导"),
    ("alias", "原有名称"),
    ("status", "运行状态"),
]


def _center_tabs(center: Center, can_manage: bool) -> list[tuple[str, str]]:
    if not can_manage:
        return []
    closed = center.status in (Center.Status.MERGED, Center.Status.CLOSED)
    return [(name, label) for name, label in CENTER_TABS if not (name == "status" and closed)]


def _center_context(
    request: HttpRequest,
    center: Center,
    *,
    bound: dict[str, CenterForm] | None = None,
    tab: str = "",
) -> dict[str, Any]:
    can_manage = may_at_center(request.user, center, "manage")
    tabs = _center_tabs(center, can_manage)
    tab = tab if tab in dict(tabs) else "overview"
    leaders = [
        {"role": p.get_role_display(), "name": p.name, "title": p.title, "phone": mask_phone(p.phone)}
        for p in center.leadership.all().order_by("role")
    ]
    return {
        "center": center,
        "hours": selectors.hours_summary(center),
        "exceptions": center.hours_exceptions.filter(date__gte=timezone.localdate()),
        "leaders": leaders,
        "check": selectors.standardisation_check(center),
        "changes": center.changes.select_related("drafted_by").order_by("-created_at")[:20],
        "can_manage": can_manage,
        "can_draft": center.kind == Center.Kind.BRANCH
        and may_at_center(request.user, center, "draft_change"),
        "forms": _center_forms(center, bound or {}) if can_manage else {},
        "tabs": tabs,
        "tab": tab,
    }


@login_required
def center_detail(request: HttpRequest, code: str) -> HttpResponse:
    center = _visible_center(request, code)
    context = _center_context(request, center, tab=request.GET.get("tab", ""))
    return render(request, "centers/staff_center.html", context)


@login_required
@require_POST
def center_edit(request: HttpRequest, code: str, form_name: str) -> HttpResponse:
    """One endpoint per manage form (/staff/centers/<code>/<form>/)."""
    center = _visible_center(request, code)
    if form_name not in CENTER_FORMS:
        raise NotFound("没有这个表单。")
    cls, save, done = CENTER_FORMS[form_name]
    # Authorisation first, so a refused user learns nothing from validation.
    access_center(request.user, center, action="manage")
    form = cls(request.POST, prefix=form_name, center=center)
    # The page comes back with the failed form's tab open, the message next to its field.
    context = _center_context(request, center, bound={form_name: form}, tab=form_name)
    if not form.is_valid():
        return render(request, "centers/staff_center.html", context, status=400)
    errors_show_on(request, "centers/staff_center.html", context, form=form)
    save(by=_me(request), center=center, **form.service_args())
    messages.success(request, done)
    tab = form_name if form_name in dict(_center_tabs(center, True)) else "overview"
    return redirect(reverse("centers:detail", args=[center.code]) + f"?tab={tab}")


HISTORY_KINDS = {"+": "创建", "~": "修改", "-": "删除"}


@login_required
def center_history(request: HttpRequest, code: str) -> HttpResponse:
    center = _visible_center(request, code)
    page = _page(
        request, center.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    labels = {f.name: str(f.verbose_name) for f in Center._meta.get_fields() if hasattr(f, "verbose_name")}
    for record in page:
        record.kind_label = HISTORY_KINDS.get(record.history_type, record.history_type)
        record.who = record.history_user.display_name if record.history_user else "系统"
        record.field_changes = [
            {**c, "label": labels.get(c["field"], c["field"])} for c in changed_fields(record)
        ]
    return render(request, "centers/staff_history.html", {"center": center, "page": page})


# --- changes of a branch --------------------------------------------------------


@login_required
def change_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "").strip()
    status = status if status in CenterChange.Status.values else ""
    kind = kind if kind in CenterChange.Kind.values else ""
    page = _page(request, selectors.changes_list(user=request.user, status=status, kind=kind, q=q))
    return render(
        request,
        "centers/staff_changes.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "q": q,
            "statuses": CenterChange.Status.choices,
            "kinds": CenterChange.Kind.choices,
        },
    )


CHANGE_FORM = "centers/staff_change_form.html"


@login_required
@require_http_methods(["GET", "POST"])
def change_new(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.method == "GET" and request.GET.get("center"):
        initial["center"] = request.GET["center"]
    form = ChangeForm(request.POST or None, user=request.user, initial=initial)
    context = {"form": form, "change": None}
    if request.method == "POST" and form.is_valid():
        district = form.district(request.user)
        if district is None:
            raise Refused("您没有可起草变更的中心。")
        errors_show_on(request, CHANGE_FORM, context, form=form)
        change = services.change_draft(by=_me(request), district=district, **form.cleaned_data)
        messages.success(request, "已起草变更，确认无误后请“报送备案”。")
        return redirect("centers:change_detail", pk=change.pk)
    return render(request, CHANGE_FORM, context, status=400 if form.errors else 200)


def _visible_change(request: HttpRequest, pk: int) -> CenterChange:
    change = selectors.change_get(user=request.user, pk=pk)
    if change is None:
        raise NotFound("没有找到该变更，或您无权查看。")
    return change


# The steps that ask for a reason show its message next to their own reason box.
REASON_ACTIONS = ("return", "reject")


def _change_context(request: HttpRequest, change: CenterChange, action: str = "") -> dict[str, Any]:
    return {
        "change": change,
        "events": change.events.all(),
        "actions": services.change_allowed_actions(user=request.user, change=change),
        "center_visible": change.center is not None and may_at_center(request.user, change.center, "view"),
        "action": action,
        "reason_actions": REASON_ACTIONS if action in REASON_ACTIONS else (),
        "posted": request.POST,
    }


@login_required
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    change = _visible_change(request, pk)
    return render(request, "centers/staff_change.html", _change_context(request, change))


ChangeStep = Callable[[User, CenterChange, QueryDict], object]
CHANGE_ACTIONS: dict[str, tuple[str, ChangeStep]] = {
    "submit": ("已报送备案。", lambda by, change, post: services.change_submit(by=by, change=change)),
    "file": ("已备案。", lambda by, change, post: services.change_file(by=by, change=change)),
    "return": (
        "已退回起草人。",
        lambda by, change, post: services.change_return(by=by, change=change, reason=post.get("reason", "")),
    ),
    "approve": (
        "已批准。",
        lambda by, change, post: services.change_approve(by=by, change=change, note=post.get("note", "")),
    ),
    "reject": (
        "已作出不予批准的决定。",
        lambda by, change, post: services.change_reject(by=by, change=change, reason=post.get("reason", "")),
    ),
    "withdraw": (
        "已撤回。",
        lambda by, change, post: services.change_withdraw(
            by=by, change=change, reason=post.get("reason", "")
        ),
    ),
}


@login_required
@require_POST
def change_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in CHANGE_ACTIONS:
        raise NotFound("没有这个操作。")
    change = _visible_change(request, pk)
    done, run = CHANGE_ACTIONS[action]
    errors_show_on(request, "centers/staff_change.html", _change_context(request, change, action))
    run(_me(request), change, request.POST)
    messages.success(request, done)
    return redirect("centers:change_detail", pk=change.pk)


@login_required
@require_http_methods(["GET", "POST"])
def change_edit(request: HttpRequest, pk: int) -> HttpResponse:
    change = _visible_change(request, pk)
    if request.method == "GET" and "edit" not in services.change_allowed_actions(
        user=request.user, change=change
    ):
        raise Refused("只有起草方可以修改草稿或被退回的变更。")
    form = ChangeForm(request.POST or None, user=request.user, change=change)
    context = {"form": form, "change": change}
    if request.method == "POST" and form.is_valid():
        errors_show_on(request, CHANGE_FORM, context, form=form)
        services.change_update(by=_me(request), change=change, **form.edited_fields())
        messages.success(request, "已保存修改。")
        return redirect("centers:change_detail", pk=change.pk)
    return render(request, CHANGE_FORM, context, status=400 if form.errors else 200)


# --- standardisation -------------------------------------------------------------


@login_required
def standards(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "centers/staff_standards.html",
        {"checks": selectors.standardisation_report(user=request.user)},
    )


@login_required
def standards_export(request: HttpRequest) -> HttpResponse:
    header = ["名称", "编码", "类型", "状态", "得分", "已具备", "缺少"]
    rows = (
        [
            c.center.name,
            c.center.code,
            c.center.get_kind_display(),
            c.center.get_status_display(),
            c.score,
            "、".join(c.have),
            "、".join(c.lacks),
        ]
        for c in selectors.standardisation_report(user=request.user)
    )
    return xlsx_response(_dated("标准化检查"), "标准化检查", header, rows)
