"""Staff pages of the accounts app: login, the dashboard, people and roles, the
audit history and API tokens. The services decide; these pages render."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from govhall.core.audit import audit_count, audit_entries, personal_data_accesses
from govhall.core.errors import DomainError, Refused
from govhall.core.masking import mask_phone
from govhall.core.pages import xlsx_response

from . import selectors, services
from .forms import (
    AuditFilterForm,
    LoginForm,
    PeopleFilterForm,
    PersonCreateForm,
    PhoneRevealForm,
    RoleAssignForm,
    TokenIssueForm,
)
from .models import Role, RoleAssignment
from .selectors import roles_of

PAGE_SIZE = 50
EXPORT_LIMIT = 5000


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get(self, request, *args, **kwargs):
        if request.GET.get("timeout"):
            messages.info(request, "您已超过 30 分钟未操作，为保护数据安全已自动退出，请重新登录。")
        return super().get(request, *args, **kwargs)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes: 5 failed logins for one username from one address."""
    return render(request, "accounts/locked_out.html", status=429)


def role_labels(user) -> list[str]:
    return [Role(r).label for r in sorted(roles_of(user))]


# --- helpers -----------------------------------------------------------------


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_people(request) -> None:
    _require(selectors.can_view_people(request.user), "只有区政务办和分中心负责人可以查看人员。")


def _require_admin(request) -> None:
    _require(selectors.can_manage_people(request.user), "只有区政务办可以进行此操作。")


def _local(dt):
    return timezone.localtime(dt).replace(tzinfo=None) if dt else None


def _blank(value) -> str:
    return "（空）" if value is None else str(value)


def _querystring(request, **drop) -> str:
    params = request.GET.copy()
    for key in ("page", *drop):
        params.pop(key, None)
    return params.urlencode()


# --- people and roles ------------------------------------------------------------


def _people_filtered(request):
    centers = (
        selectors.centers_visible_to(request.user)
        .filter(id__in=selectors.people_center_ids(request.user))
        .order_by("kind", "code")
    )
    form = PeopleFilterForm(request.GET or None, centers=centers)
    data = form.cleaned_data if form.is_valid() else {}
    people = selectors.people_list(
        user=request.user, q=data.get("q", ""), role=data.get("role", ""), center=data.get("center")
    )
    return form, people


@login_required
def people(request):
    _require_people(request)
    form, qs = _people_filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/people.html",
        {
            "form": form,
            "page": page,
            "rows": [(p, mask_phone(p.phone)) for p in page],
            "can_manage": selectors.can_manage_people(request.user),
            "querystring": _querystring(request),
        },
    )


@login_required
def people_export(request):
    _require_people(request)
    _, qs = _people_filtered(request)
    rows = (
        [
            p.username,
            p.full_name,
            mask_phone(p.phone),
            "；".join(f"{a.center.name}·{a.get_role_display()}" for a in p.visible_roles),
            "是" if p.is_active else "否",
        ]
        for p in qs[:EXPORT_LIMIT]
    )
    return xlsx_response(
        "people.xlsx", "人员与角色", ["用户名", "姓名", "手机号（已脱敏）", "角色", "启用"], rows
    )


@login_required
def person_new(request):
    _require_admin(request)
    form = PersonCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                person = services.user_create(by=request.user, **form.cleaned_data)
            except Refused as exc:
                raise PermissionDenied(exc.message) from exc
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, f"已创建账号“{person.username}”。请为其分配角色。")
                return redirect("accounts:person", pk=person.pk)
        status = 400
    return render(request, "accounts/person_new.html", {"form": form}, status=status)


def _person_or_404(request, pk):
    person = selectors.person_get(user=request.user, pk=pk)
    if person is None:
        raise Http404("没有找到该人员，或您无权查看。")
    return person


def _person_page(request, person, *, assign_form=None, reveal_form=None, revealed_phone=None, status=200):
    can_manage = selectors.can_manage_people(request.user)
    centers = selectors.centers_visible_to(request.user).order_by("kind", "code")
    context = {
        "person": person,
        "masked_phone": mask_phone(person.phone),
        "revealed_phone": revealed_phone,
        "can_manage": can_manage,
        "assign_form": assign_form or (RoleAssignForm(centers=centers) if can_manage else None),
        "reveal_form": reveal_form or PhoneRevealForm(),
        "accesses": personal_data_accesses(obj=person)[:20] if can_manage else [],
    }
    return render(request, "accounts/person_detail.html", context, status=status)


@login_required
def person_detail(request, pk):
    _require_people(request)
    return _person_page(request, _person_or_404(request, pk))


@login_required
@require_POST
def person_role_assign(request, pk):
    _require_admin(request)
    person = _person_or_404(request, pk)
    form = RoleAssignForm(
        request.POST, centers=selectors.centers_visible_to(request.user).order_by("kind", "code")
    )
    if form.is_valid():
        try:
            services.role_assign(by=request.user, user=person, **form.cleaned_data)
        except Refused as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            role = Role(form.cleaned_data["role"]).label
            messages.success(request, f"已在{form.cleaned_data['center'].name}分配角色“{role}”。")
            return redirect("accounts:person", pk=person.pk)
    return _person_page(request, person, assign_form=form, status=400)


@login_required
@require_POST
def person_role_revoke(request, pk, assignment_pk):
    _require_admin(request)
    person = _person_or_404(request, pk)
    assignment = get_object_or_404(
        RoleAssignment.objects.select_related("center"), pk=assignment_pk, user=person
    )
    if assignment.center_id not in selectors.people_center_ids(request.user):
        raise Http404("没有找到该角色。")
    try:
        services.role_revoke(by=request.user, assignment=assignment)
    except Refused as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, f"已撤销 {assignment.center.name} 的“{assignment.get_role_display()}”角色。")
    return redirect("accounts:person", pk=person.pk)


@login_required
@require_POST
def person_phone_reveal(request, pk):
    _require_people(request)
    person = _person_or_404(request, pk)
    form = PhoneRevealForm(request.POST)
    if not form.is_valid():
        return _person_page(request, person, reveal_form=form, status=400)
    try:
        phone = services.user_phone_reveal(by=request.user, person=person, reason=form.cleaned_data["reason"])
    except Refused as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        form.add_error("reason" if exc.field not in form.fields else exc.field, exc.message)
        form.mark_errors()
        return _person_page(request, person, reveal_form=form, status=400)
    response = _person_page(request, person, revealed_phone=phone)
    response["Cache-Control"] = "no-store"
    return response


# --- audit history -----------------------------------------------------------------


def _audit_filters(request):
    users = selectors.people_list(user=request.user)
    form = AuditFilterForm(request.GET or None, users=users)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        if data.get("model"):
            filters["models"] = [data["model"]]
        if data.get("user"):
            filters["user_id"] = data["user"].pk
        if data.get("since"):
            filters["since"] = timezone.make_aware(datetime.combine(data["since"], time.min))
        if data.get("until"):
            filters["until"] = timezone.make_aware(
                datetime.combine(data["until"] + timedelta(days=1), time.min)
            )
    return form, filters


@login_required
def audit(request):
    _require_admin(request)
    form, filters = _audit_filters(request)
    if form.is_bound and not form.is_valid():
        return render(request, "accounts/audit.html", {"form": form, "entries": [], "total": 0}, status=400)
    total = audit_count(**filters)
    pages = max(1, -(-total // PAGE_SIZE))
    try:
        number = min(max(1, int(request.GET.get("page", 1))), pages)
    except ValueError:
        number = 1
    entries = audit_entries(**filters, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    return render(
        request,
        "accounts/audit.html",
        {
            "form": form,
            "entries": entries,
            "total": total,
            "number": number,
            "pages": pages,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if number < pages else None,
            "querystring": _querystring(request),
        },
    )


@login_required
def audit_export(request):
    _require_admin(request)
    form, filters = _audit_filters(request)
    if form.is_bound and not form.is_valid():
        return redirect(f"{reverse('accounts:audit')}?{request.GET.urlencode()}")
    entries = audit_entries(**filters, limit=EXPORT_LIMIT, offset=0)
    rows = (
        [
            _local(e.when),
            e.user_label,
            e.model_label,
            e.object_repr,
            e.kind_label,
            e.reason,
            "；".join(f"{c['label']}：{_blank(c['old'])} → {_blank(c['new'])}" for c in e.changes),
        ]
        for e in entries
    )
    return xlsx_response(
        "audit.xlsx", "操作记录", ["时间", "操作人", "记录类型", "记录", "操作", "原因", "变更内容"], rows
    )


# --- API tokens -------------------------------------------------------------------


def _tokens_page(request, *, form=None, issued=None, status=200):
    try:
        tokens = selectors.api_tokens_visible_to(request.user)
    except Refused as exc:
        raise PermissionDenied(exc.message) from exc
    centers = selectors.centers_visible_to(request.user).order_by("kind", "code")
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": tokens,
            "form": form or TokenIssueForm(centers=centers),
            "issued": issued,
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
def tokens(request):
    _require_admin(request)
    if request.method != "POST":
        return _tokens_page(request)
    centers = selectors.centers_visible_to(request.user).order_by("kind", "code")
    form = TokenIssueForm(request.POST, centers=centers)
    if form.is_valid():
        data = form.cleaned_data
        try:
            token, key = services.api_token_issue(
                by=request.user,
                user=form.account,
                name=data["name"],
                centers=list(data["centers"]),
                expires_at=data["expires_at"],
            )
        except Refused as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            response = _tokens_page(request, issued={"token": token, "key": key})
            response["Cache-Control"] = "no-store"
            return response
    return _tokens_page(request, form=form, status=400)


@login_required
@require_POST
def token_revoke(request, pk):
    _require_admin(request)
    try:
        token = get_object_or_404(selectors.api_tokens_visible_to(request.user), pk=pk)
        services.api_token_revoke(by=request.user, token=token)
    except Refused as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, f"已吊销令牌“{token.name}”（{token.prefix}…）。")
    return redirect("accounts:tokens")
