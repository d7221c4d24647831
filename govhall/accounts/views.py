"""Staff pages of the accounts app: login, people and roles, the audit history
and API tokens. The services decide; these pages render, and a DomainError a
service raises is answered by the page door (core.page_errors)."""

from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from govhall.core.audit import AuditEntry, audit_count, audit_entries, personal_data_accesses
from govhall.core.errors import NotFound, Refused
from govhall.core.masking import mask_phone
from govhall.core.page_errors import errors_show_on
from govhall.core.pages import query_with, safe_next, xlsx_response

from . import selectors, services
from .forms import (
    AuditFilterForm,
    BadgeForm,
    LoginForm,
    PasswordChangeForm,
    PeopleFilterForm,
    PersonCreateForm,
    PhoneRevealForm,
    RoleAssignForm,
    TokenIssueForm,
)
from .models import Role, RoleAssignment, User

PAGE_SIZE = 50
# An audit entry lists each changed field: 25 a page keeps the page near 3,000 px at 1366.
AUDIT_PAGE_SIZE = 25
EXPORT_LIMIT = 5000


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.GET.get("timeout"):
            messages.info(request, "您已超过 30 分钟未操作，为保护数据安全已自动退出，请重新登录。")
        return super().get(request, *args, **kwargs)

    def get_success_url(self) -> str:
        """The `next` page when it is on this site, else the workbench: a link from
        elsewhere must not send a freshly logged-in user off-site."""
        candidate = self.request.POST.get("next", self.request.GET.get("next"))
        return safe_next(self.request, candidate, default=reverse("dashboards:workbench"))

    def form_invalid(self, form: Form) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


CHANGE_PAGE_TEMPLATE = "accounts/password_change.html"


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Anyone logged in changes their own password (staff from the workbench and
    header, citizens from 我的办件). After a change the session stays logged in."""
    from django.contrib.auth import update_session_auth_hash

    from .middleware import PasswordExpiryMiddleware

    me = _me(request)
    is_citizen = hasattr(me, "citizen")
    form = PasswordChangeForm(request.POST or None)
    back_url = reverse("cases:my") if is_citizen else reverse("dashboards:workbench")
    context: dict[str, Any] = {
        "form": form,
        "base_template": "base.html" if is_citizen else "staff_base.html",
        "back_url": back_url,
        "expired_days": request.session.get(PasswordExpiryMiddleware.KEY) or 0,
    }
    if request.method == "POST" and form.is_valid():
        errors_show_on(request, CHANGE_PAGE_TEMPLATE, context, form=form)
        user = services.password_change(
            by=me,
            user=me,
            old_password=form.cleaned_data["old_password"],
            new_password=form.cleaned_data["new_password"],
        )
        update_session_auth_hash(request, user)
        request.session[PasswordExpiryMiddleware.KEY] = 0
        messages.success(request, "密码已修改，下次登录请使用新密码。")
        return redirect(back_url)
    return render(request, CHANGE_PAGE_TEMPLATE, context, status=400 if form.errors else 200)


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes: 5 failed logins for one username from one address."""
    return render(request, "accounts/locked_out.html", status=429)


# --- helpers -----------------------------------------------------------------


def _me(request: HttpRequest) -> User:
    """The signed-in user (every view below is login_required: never anonymous)."""
    return cast(User, request.user)


def _require_people(request: HttpRequest) -> None:
    if not selectors.can_view_people(request.user):
        raise Refused("只有区政务办和分中心负责人可以查看人员。")


def _require_admin(request: HttpRequest) -> None:
    if not selectors.can_manage_people(request.user):
        raise Refused("只有区政务办可以进行此操作。")


def _local(dt: datetime | None) -> datetime | None:
    return timezone.localtime(dt).replace(tzinfo=None) if dt else None


def _blank(value: object) -> str:
    return "（空）" if value is None else str(value)


def _querystring(request: HttpRequest) -> str:
    """The current filters, without the page number (for the export links)."""
    return query_with(request, page=None).lstrip("?")


def _centers(request: HttpRequest) -> QuerySet:
    return selectors.centers_visible_to(request.user).order_by("kind", "code")


# --- people and roles ------------------------------------------------------------


def _people_filtered(request: HttpRequest) -> tuple[PeopleFilterForm, QuerySet]:
    centers = _centers(request).filter(id__in=selectors.people_center_ids(request.user))
    form = PeopleFilterForm(request.GET or None, centers=centers)
    data = form.cleaned_data if form.is_valid() else {}
    people = selectors.people_list(
        user=request.user, q=data.get("q", ""), role=data.get("role", ""), center=data.get("center")
    )
    return form, people


@login_required
def people(request: HttpRequest) -> HttpResponse:
    _require_people(request)
    form, qs = _people_filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/people.html",
        {
            "form": form,
            "page": page,
            "can_manage": selectors.can_manage_people(request.user),
            "querystring": _querystring(request),
        },
    )


@login_required
def people_export(request: HttpRequest) -> HttpResponse:
    _require_people(request)
    _, qs = _people_filtered(request)
    rows = (
        [
            p.masked_username,
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
def person_new(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = PersonCreateForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        errors_show_on(request, "accounts/person_new.html", context, form=form)
        person = services.user_create(by=_me(request), **form.cleaned_data)
        messages.success(request, f"已创建账号“{person.username}”。请为其分配角色。")
        return redirect("accounts:person", pk=person.pk)
    return render(request, "accounts/person_new.html", context, status=400 if form.errors else 200)


def _person_or_404(request: HttpRequest, pk: int) -> User:
    person = selectors.person_get(user=request.user, pk=pk)
    if person is None:
        raise NotFound("没有找到该人员，或您无权查看。")
    return person


def _person_context(request: HttpRequest, person: User, **overrides: Any) -> dict[str, Any]:
    """The person page's context; `overrides` replace a form (bound, with its errors) or add the phone."""
    can_manage = selectors.can_manage_people(request.user)
    context = {
        "person": person,
        "masked_phone": mask_phone(person.phone),
        "revealed_phone": None,
        "can_manage": can_manage,
        "assign_form": RoleAssignForm(centers=_centers(request)) if can_manage else None,
        "reveal_form": PhoneRevealForm(),
        "accesses": personal_data_accesses(obj=person)[:20] if can_manage else [],
        "badge_form": BadgeForm(initial={"staff_number": person.staff_number})
        if services.may_edit_badge(request.user, person)
        else None,
    }
    context.update(overrides)
    return context


PERSON_PAGE = "accounts/person_detail.html"


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_people(request)
    return render(request, PERSON_PAGE, _person_context(request, _person_or_404(request, pk)))


@login_required
@require_POST
def person_role_assign(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    person = _person_or_404(request, pk)
    form = RoleAssignForm(request.POST, centers=_centers(request))
    context = _person_context(request, person, assign_form=form)
    if not form.is_valid():
        return render(request, PERSON_PAGE, context, status=400)
    errors_show_on(request, PERSON_PAGE, context, form=form)
    services.role_assign(by=_me(request), user=person, **form.cleaned_data)
    role = Role(form.cleaned_data["role"]).label
    messages.success(request, f"已在{form.cleaned_data['center'].name}分配角色“{role}”。")
    return redirect("accounts:person", pk=person.pk)


@login_required
@require_POST
def person_role_revoke(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    _require_admin(request)
    person = _person_or_404(request, pk)
    assignment = RoleAssignment.objects.select_related("center").filter(pk=assignment_pk, user=person).first()
    if assignment is None or assignment.center_id not in selectors.people_center_ids(request.user):
        raise NotFound("没有找到该角色。")
    services.role_revoke(by=_me(request), assignment=assignment)
    messages.success(request, f"已撤销 {assignment.center.name} 的“{assignment.get_role_display()}”角色。")
    return redirect("accounts:person", pk=person.pk)


@login_required
@require_POST
def person_phone_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    _require_people(request)
    person = _person_or_404(request, pk)
    form = PhoneRevealForm(request.POST)
    # "No phone on record" is about the person, but shown where the reader is: by the reason.
    context = _person_context(request, person, reveal_form=form, field_map={"phone": "reason"})
    if not form.is_valid():
        return render(request, PERSON_PAGE, context, status=400)
    errors_show_on(request, PERSON_PAGE, context, form=form)
    phone = services.user_phone_reveal(by=_me(request), person=person, reason=form.cleaned_data["reason"])
    response = render(request, PERSON_PAGE, _person_context(request, person, revealed_phone=phone))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def person_badge(request: HttpRequest, pk: int) -> HttpResponse:
    """工号与照片: the district office, or the manager of the person's hall."""
    _require_people(request)
    person = _person_or_404(request, pk)
    form = BadgeForm(request.POST, request.FILES)
    context = _person_context(request, person, badge_form=form)
    if not form.is_valid():
        return render(request, PERSON_PAGE, context, status=400)
    errors_show_on(request, PERSON_PAGE, context, form=form)
    services.user_badge_set(
        by=_me(request),
        user=person,
        staff_number=form.cleaned_data["staff_number"],
        photo=form.cleaned_data.get("photo") or None,
        remove_photo=form.cleaned_data["remove_photo"],
    )
    messages.success(request, "已保存工号与照片。")
    return redirect("accounts:person", pk=person.pk)


@login_required
def person_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The person's photo, for staff who may see the person."""
    _require_people(request)
    return photo_response(_person_or_404(request, pk))


def photo_response(person: User) -> HttpResponseBase:
    """The stored photo with its checked type (never what the uploader said)."""
    from django.http import FileResponse, Http404

    if not person.photo:
        raise Http404("没有照片。")
    name = person.photo.name
    content_type = "image/png" if name.endswith(".png") else "image/jpeg"
    try:
        handle = person.photo.storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("没有照片。") from None
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- audit history -----------------------------------------------------------------


def _audit_filters(request: HttpRequest) -> tuple[AuditFilterForm, dict[str, Any]]:
    users = selectors.people_list(user=request.user)
    form = AuditFilterForm(request.GET or None, users=users)
    filters: dict[str, Any] = {}
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
        if data.get("month"):
            year, month = (int(x) for x in data["month"].split("-"))
            first = date(year, month, 1)
            following = date(year + month // 12, month % 12 + 1, 1)
            filters["since"] = timezone.make_aware(datetime.combine(first, time.min))
            filters["until"] = timezone.make_aware(datetime.combine(following, time.min))
    return form, filters


class AuditEntries:
    """The audit entries for some filters, as a Paginator reads them: it asks
    the count, then one slice, and only that slice is loaded."""

    def __init__(self, filters: dict[str, Any]) -> None:
        self.filters = filters

    def count(self) -> int:
        return audit_count(**self.filters)

    def __getitem__(self, window: slice) -> list[AuditEntry]:
        start = window.start or 0
        return audit_entries(**self.filters, limit=window.stop - start, offset=start)


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form, filters = _audit_filters(request)
    # Paginator reads only count() and one slice of it (not the whole sequence protocol).
    # An invalid filter shows nothing; its messages are next to the fields they name.
    entries = cast(Any, [] if form.errors else AuditEntries(filters))
    page: Page[AuditEntry] = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "querystring": _querystring(request)}
    return render(request, "accounts/audit.html", context, status=400 if form.errors else 200)


@login_required
def audit_export(request: HttpRequest) -> HttpResponse:
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
    month = form.cleaned_data.get("month") if form.is_bound else ""
    return xlsx_response(
        f"audit-{month}.xlsx" if month else "audit.xlsx",
        "操作记录",
        ["时间", "操作人", "记录类型", "记录", "操作", "原因", "变更内容"],
        rows,
    )


# --- API tokens -------------------------------------------------------------------


def _tokens_context(request: HttpRequest, **overrides: Any) -> dict[str, Any]:
    context = {
        "tokens": selectors.api_tokens_visible_to(request.user),
        "form": TokenIssueForm(centers=_centers(request)),
        "issued": None,
        "now": timezone.now(),
    }
    context.update(overrides)
    return context


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    if request.method != "POST":
        return render(request, "accounts/tokens.html", _tokens_context(request))
    form = TokenIssueForm(request.POST, centers=_centers(request))
    context = _tokens_context(request, form=form)
    if not form.is_valid():
        return render(request, "accounts/tokens.html", context, status=400)
    errors_show_on(request, "accounts/tokens.html", context, form=form)
    data = form.cleaned_data
    token, key = services.api_token_issue(
        by=_me(request),
        user=form.account,
        name=data["name"],
        centers=list(data["centers"]),
        expires_at=data["expires_at"],
    )
    response = render(
        request, "accounts/tokens.html", _tokens_context(request, issued={"token": token, "key": key})
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    token = selectors.api_tokens_visible_to(request.user).filter(pk=pk).first()
    if token is None:
        raise NotFound("没有找到该令牌，或您无权查看。")
    services.api_token_revoke(by=_me(request), token=token)
    messages.success(request, f"已吊销令牌“{token.name}”（{token.prefix}…）。")
    return redirect("accounts:tokens")
