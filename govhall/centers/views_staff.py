"""Staff pages of the register and of branch changes. Every list comes from a
selector scoped to the user; every write goes through a service, whose
DomainError is shown next to the field it names with a 4xx status."""

from io import BytesIO
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from govhall.core.errors import DomainError, NotFound, Refused
from govhall.core.history import changed_fields
from govhall.core.masking import mask_phone
from govhall.core.pages import query_with

from . import selectors, services
from .forms import (
    AliasForm,
    CenterEditForm,
    CenterFilterForm,
    ChangeForm,
    FacilitiesForm,
    HoursExceptionForm,
    HoursForm,
    LeadershipForm,
    StatusForm,
    ZonesForm,
    show_domain_error,
)
from .models import Center, CenterChange
from .permissions import access_center, can

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SORT_COLUMNS = [
    ("name", "名称"),
    ("code", "编码"),
    ("kind", "类型"),
    ("status", "状态"),
    ("updated", "更新时间"),
]


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _xlsx_response(workbook, filename: str) -> HttpResponse:
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    ascii_name = filename.encode("ascii", "ignore").decode() or "export.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def _sheet(title: str, header: list[str], rows):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    return workbook


# --- the register -------------------------------------------------------------


def _register(request):
    form = CenterFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else {"q": "", "kind": "", "status": "", "department": None}
    sort = request.GET.get("sort", "kind")
    if sort not in selectors.SORTS:
        sort = "kind"
    return form, selectors.centers_list(user=request.user, sort=sort, **filters), sort


@login_required
def center_list(request):
    form, qs, sort = _register(request)
    page = _page(request, qs)
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
    context = {
        "form": form,
        "page": page,
        "columns": columns,
        "sort": sort,
        "export_url": reverse("centers:export") + query_with(request, page=None, sort=sort),
        "prev_url": query_with(request, page=page.previous_page_number()) if page.has_previous() else None,
        "next_url": query_with(request, page=page.next_page_number()) if page.has_next() else None,
    }
    template = "centers/staff_list.html#results" if request.htmx else "centers/staff_list.html"
    return render(request, template, context)


@login_required
def center_export(request):
    _, qs, _ = _register(request)
    header = [
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

    def rows():
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

    return _xlsx_response(_sheet("中心登记", header, rows()), f"中心登记-{timezone.localdate():%Y%m%d}.xlsx")


def _visible_center(request, code: str) -> Center:
    center = selectors.center_public_get(code)
    if center is None:
        raise Http404("没有找到该中心。")
    try:
        return access_center(request.user, center, action="view")
    except NotFound as exc:
        raise Http404(exc.message) from exc


CENTER_FORMS = {
    "info": CenterEditForm,
    "hours": HoursForm,
    "exception": HoursExceptionForm,
    "zones": ZonesForm,
    "facilities": FacilitiesForm,
    "leadership": LeadershipForm,
    "alias": AliasForm,
    "status": StatusForm,
}


def _center_forms(center: Center, bound: dict | None = None) -> dict:
    """Unbound forms of the manage panel, pre-filled from the center; `bound` replaces some."""
    bound = bound or {}
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
    forms = {}
    for name, cls in CENTER_FORMS.items():
        if name in bound:
            forms[name] = bound[name]
            continue
        kwargs = {"prefix": name, "initial": initial.get(name)}
        if cls is HoursForm:
            kwargs["center"] = center
        forms[name] = cls(**kwargs)
    return forms


def _render_center(request, center: Center, *, bound: dict | None = None, status: int = 200, error: str = ""):
    can_manage = can(request.user, center, "manage")
    today = timezone.localdate()
    leaders = [
        {"role": p.get_role_display(), "name": p.name, "title": p.title, "phone": mask_phone(p.phone)}
        for p in center.leadership.all().order_by("role")
    ]
    context = {
        "center": center,
        "hours": selectors.hours_summary(center),
        "exceptions": center.hours_exceptions.filter(date__gte=today),
        "leaders": leaders,
        "check": selectors.standardisation_check(center),
        "changes": center.changes.select_related("drafted_by").order_by("-created_at")[:20],
        "can_manage": can_manage,
        "can_draft": center.kind == Center.Kind.BRANCH and can(request.user, center, "draft_change"),
        "forms": _center_forms(center, bound) if can_manage else {},
        "page_error": error,
    }
    return render(request, "centers/staff_center.html", context, status=status)


@login_required
def center_detail(request, code):
    return _render_center(request, _visible_center(request, code))


def _apply_center_form(name: str, form, *, by, center: Center):
    data = form.cleaned_data
    if name == "info":
        services.center_update(
            by=by,
            center=center,
            name=data["name"],
            address=data["address"],
            phone=data["phone"],
            description=data["description"],
        )
        return "已保存中心信息。"
    if name == "hours":
        services.center_set_hours(by=by, center=center, periods=form.periods)
        return "已保存办公时间。"
    if name == "exception":
        services.center_set_hours_exception(
            by=by,
            center=center,
            day=data["date"],
            is_closed=data["is_closed"],
            opens=data["opens"],
            closes=data["closes"],
            note=data["note"],
        )
        return "已保存办公时间例外。"
    if name == "zones":
        services.center_set_zones(by=by, center=center, kinds=data["kinds"])
        return "已保存功能区。"
    if name == "facilities":
        services.center_set_facilities(by=by, center=center, kinds=data["kinds"])
        return "已保存便民设施。"
    if name == "leadership":
        services.leadership_set(
            by=by,
            center=center,
            role=data["role"],
            name=data["name"],
            title=data["title"],
            phone=data["phone"],
        )
        return "已保存分管领导。"
    if name == "alias":
        services.center_add_alias(by=by, center=center, name=data["name"], note=data["note"])
        return "已添加原有名称。"
    services.center_set_status(by=by, center=center, status=data["status"], reason=data["reason"])
    return "已更改状态。"


@login_required
@require_POST
def center_edit(request, code, form_name):
    """One endpoint per manage form (/staff/centers/<code>/<form>/)."""
    center = _visible_center(request, code)
    cls = CENTER_FORMS.get(form_name)
    if cls is None:
        raise Http404("没有这个表单。")
    kwargs = {"prefix": form_name}
    if cls is HoursForm:
        kwargs["center"] = center
    form = cls(request.POST, **kwargs)
    try:
        # Authorisation first, so a refused user learns nothing from validation.
        access_center(request.user, center, action="manage")
    except Refused as exc:
        return _render_center(request, center, status=exc.status, error=exc.message)
    if not form.is_valid():
        return _render_center(request, center, bound={form_name: form}, status=400)
    try:
        message = _apply_center_form(form_name, form, by=request.user, center=center)
    except DomainError as exc:
        show_domain_error(form, exc)
        center = _visible_center(request, code)
        return _render_center(request, center, bound={form_name: form}, status=exc.status)
    messages.success(request, message)
    return redirect("centers:detail", code=center.code)


@login_required
def center_history(request, code):
    center = _visible_center(request, code)
    page = _page(
        request, center.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    labels = {f.name: str(f.verbose_name) for f in Center._meta.get_fields() if hasattr(f, "verbose_name")}
    kinds = {"+": "创建", "~": "修改", "-": "删除"}
    records = [
        {
            "record": r,
            "kind": kinds.get(r.history_type, r.history_type),
            "who": r.history_user.display_name if r.history_user else "系统",
            "changes": [{**c, "label": labels.get(c["field"], c["field"])} for c in changed_fields(r)],
        }
        for r in page
    ]
    return render(
        request,
        "centers/staff_history.html",
        {
            "center": center,
            "page": page,
            "records": records,
            "prev_url": query_with(request, page=page.previous_page_number())
            if page.has_previous()
            else None,
            "next_url": query_with(request, page=page.next_page_number()) if page.has_next() else None,
        },
    )


# --- changes of a branch --------------------------------------------------------


@login_required
def change_list(request):
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
            "prev_url": query_with(request, page=page.previous_page_number())
            if page.has_previous()
            else None,
            "next_url": query_with(request, page=page.next_page_number()) if page.has_next() else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def change_new(request):
    initial = {}
    if request.method == "GET" and request.GET.get("center"):
        initial["center"] = request.GET["center"]
    form = ChangeForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            district = form.district(request.user)
            data = form.cleaned_data
            if district is None:
                form.add_error(None, "您没有可起草变更的中心。")
                status = 403
            else:
                try:
                    change = services.change_draft(
                        by=request.user,
                        district=district,
                        kind=data["kind"],
                        center=data["center"],
                        merge_into=data["merge_into"],
                        new_name=data["new_name"],
                        new_code=data["new_code"],
                        new_address=data["new_address"],
                        department=data["department"],
                        effective_date=data["effective_date"],
                        description=data["description"],
                    )
                except DomainError as exc:
                    show_domain_error(form, exc)
                    status = exc.status
                else:
                    messages.success(request, "已起草变更，确认无误后请“报送备案”。")
                    return redirect("centers:change_detail", pk=change.pk)
    return render(request, "centers/staff_change_form.html", {"form": form, "change": None}, status=status)


def _visible_change(request, pk: int) -> CenterChange:
    change = selectors.change_get(user=request.user, pk=pk)
    if change is None:
        raise Http404("没有找到该变更，或您无权查看。")
    return change


def _render_change(request, change: CenterChange, *, status: int = 200, error: dict | None = None):
    change = _visible_change(request, change.pk)
    center_visible = change.center_id and can(request.user, change.center, "view")
    return render(
        request,
        "centers/staff_change.html",
        {
            "change": change,
            "events": change.events.all(),
            "actions": services.change_allowed_actions(user=request.user, change=change),
            "center_visible": center_visible,
            "error": error or {},
            "posted": request.POST,
        },
        status=status,
    )


@login_required
def change_detail(request, pk):
    return _render_change(request, _visible_change(request, pk))


CHANGE_ACTIONS = {
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
def change_action(request, pk, action):
    if action not in CHANGE_ACTIONS:
        raise Http404("没有这个操作。")
    change = _visible_change(request, pk)
    done, run = CHANGE_ACTIONS[action]
    try:
        run(request.user, change, request.POST)
    except DomainError as exc:
        return _render_change(
            request,
            change,
            status=exc.status,
            error={"action": action, "message": exc.message, "field": exc.field},
        )
    messages.success(request, done)
    return redirect("centers:change_detail", pk=change.pk)


@login_required
@require_http_methods(["GET", "POST"])
def change_edit(request, pk):
    change = _visible_change(request, pk)
    if request.method == "GET" and "edit" not in services.change_allowed_actions(
        user=request.user, change=change
    ):
        return _render_change(
            request,
            change,
            status=403,
            error={"action": "edit", "message": "只有起草方可以修改草稿或被退回的变更。", "field": None},
        )
    form = ChangeForm(request.POST or None, user=request.user, change=change)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.change_update(by=request.user, change=change, **form.edited_fields())
            except DomainError as exc:
                show_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "已保存修改。")
                return redirect("centers:change_detail", pk=change.pk)
    return render(request, "centers/staff_change_form.html", {"form": form, "change": change}, status=status)


# --- standardisation -------------------------------------------------------------


@login_required
def standards(request):
    return render(
        request,
        "centers/staff_standards.html",
        {"checks": selectors.standardisation_report(user=request.user)},
    )


@login_required
def standards_export(request):
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
    return _xlsx_response(
        _sheet("标准化检查", header, rows), f"标准化检查-{timezone.localdate():%Y%m%d}.xlsx"
    )
