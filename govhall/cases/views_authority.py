"""Pages of 窗口无否决权: the chief representatives' authorisations (staff list and
form; the public list per hall) and "待我决定", the escalations a chief
representative or the department decides. Thin doors: every write is a
service, a refusal is shown by the page door (`core.page_errors`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from govhall.accounts.models import Role, User
from govhall.accounts.selectors import center_ids_acting_as, centers_visible_to
from govhall.catalog.models import ServiceItem
from govhall.centers.models import Department
from govhall.centers.selectors import PUBLIC_STATUSES, center_public_get
from govhall.core.errors import DomainError
from govhall.core.page_errors import errors_show_on

from . import selectors, services
from .forms import ChiefAuthorizationForm, RevokeAuthorizationForm
from .permissions import AUTHORIZE
from .views import PAGE_SIZE, staff_only


def _chosen_pk(source, name: str) -> int | None:
    value = (source or {}).get(name, "")
    return int(value) if str(value).isdigit() else None


def _authorization_form(request, data=None) -> ChiefAuthorizationForm:
    """The form's choices: what the user can see; the service decides what they may record.
    The items offered are the chosen department's at the chosen hall (chosen first; the
    page reloads the list with htmx), not every item of every visible hall."""
    centers = list(centers_visible_to(request.user).order_by("kind", "code"))
    district_ids = {c.district_id for c in centers}
    source = data if data is not None else request.GET
    department_pk, center_pk = _chosen_pk(source, "department"), _chosen_pk(source, "center")
    items = ServiceItem.objects.none()
    if department_pk and center_pk in {c.pk for c in centers}:
        items = ServiceItem.objects.filter(department_id=department_pk, center_id=center_pk, is_active=True)
    return ChiefAuthorizationForm(
        data,
        departments=Department.objects.filter(district_id__in=district_ids).order_by("code"),
        centers=centers,
        representatives=User.objects.filter(
            role_assignments__role=Role.CHIEF_REP, role_assignments__center__in=centers, is_active=True
        )
        .distinct()
        .order_by("full_name", "username"),
        items=items.select_related("department", "center").order_by("name"),
        initial={} if data is not None else {"department": department_pk, "center": center_pk},
        id_prefix="auth",
    )


@staff_only
@require_http_methods(["GET", "POST"])
def authorizations(request):
    """首席代表授权书: the list for the halls the user sees; the department or the
    district office records a new one here."""
    posted = request.method == "POST"
    form = _authorization_form(request, request.POST if posted else None)
    center = request.GET.get("center", "")
    if request.headers.get("HX-Request") and not posted:
        return render(request, "cases/_authorization_items.html", {"form": form})
    ctx = {
        "form": form,
        "page": Paginator(
            selectors.chief_authorizations_visible_to(request.user, center=center), PAGE_SIZE
        ).get_page(request.GET.get("page")),
        "may_record": bool(center_ids_acting_as(request.user, AUTHORIZE)),
        "revoke_form": RevokeAuthorizationForm(id_prefix="revoke"),
        "center": center,
    }
    if not (posted and form.is_valid()):
        return render(request, "cases/authorizations.html", ctx, status=400 if form.errors else 200)
    errors_show_on(request, "cases/authorizations.html", ctx, form=form)
    data = form.cleaned_data
    chosen_center = centers_visible_to(request.user).filter(pk=data["center"] or 0).first()
    if chosen_center is None:
        raise DomainError("请选择派驻中心。", field="center")
    department = Department.objects.filter(
        pk=data["department"] or 0, district_id=chosen_center.district_id
    ).first()
    if department is None:
        raise DomainError("请选择授权部门。", field="department")
    representative = User.objects.filter(pk=data["representative"] or 0).first()
    if representative is None:
        raise DomainError("请选择首席代表。", field="representative")
    auth = services.chief_authorization_issue(
        by=request.user,
        department=department,
        center=chosen_center,
        representative=representative,
        document_number=data["document_number"],
        title=data["title"],
        valid_from=data["valid_from"],
        valid_to=data["valid_to"],
        all_items=data["all_items"],
        items=ServiceItem.objects.filter(pk__in=[int(x) for x in data["items"]]),
    )
    messages.success(request, f"已录入授权书 {auth.document_number}，已在中心公开页公示。")
    return redirect("cases:authorizations")


@staff_only
@require_POST
def authorization_revoke(request, pk: int):
    """撤销: a refusal (no reason, already revoked) is shown on the list it came from."""
    auth = selectors.chief_authorization_get(user=request.user, pk=pk)
    services.chief_authorization_revoke(
        by=request.user, authorization=auth, reason=request.POST.get("reason", "")
    )
    messages.success(request, f"已撤销授权书 {auth.document_number}。")
    return redirect("cases:authorizations")


@staff_only
def escalations(request):
    """待我决定: cases the window handed up to this chief representative or department."""
    rows = selectors.escalations_awaiting(request.user)
    return render(
        request,
        "cases/escalations.html",
        {"page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))},
    )


def public_chief_representatives(request, code: str):
    """公开: who may decide (including refuse) at this hall, for which items, under which authorisation."""
    center = center_public_get(code)
    if center is None or center.status not in PUBLIC_STATUSES:
        raise Http404("没有找到该中心。")
    return render(
        request,
        "cases/public_chief_representatives.html",
        {"center": center, "authorizations": selectors.chief_representatives_public(center)},
    )
