from django.urls import path

from . import views, views_authority

app_name = "cases"

urlpatterns = [
    # staff
    path("staff/cases/", views.case_list, name="list"),
    path("staff/cases/export.xlsx", views.case_export, name="export"),
    path("staff/cases/new/", views.case_intake, name="intake"),
    path("staff/cases/<str:number>/", views.case_detail, name="detail"),
    path("staff/cases/<str:number>/act/<str:action>/", views.case_act, name="act"),
    path("staff/cases/<str:number>/reveal/", views.case_reveal, name="reveal"),
    path("staff/cases/<str:number>/notices/<str:notice>/", views.staff_notice, name="notice"),
    path(
        "staff/cases/<str:number>/notices/<str:notice>.pdf",
        views.staff_notice,
        {"fmt": "pdf"},
        name="notice_pdf",
    ),
    path("staff/supervision/", views.supervision, name="supervision"),
    path("staff/chief-authorizations/", views_authority.authorizations, name="authorizations"),
    path(
        "staff/chief-authorizations/<int:pk>/revoke/",
        views_authority.authorization_revoke,
        name="authorization_revoke",
    ),
    path("staff/escalations/", views_authority.escalations, name="escalations"),
    path("staff/inquiries/", views.inquiry_list, name="inquiries"),
    path("staff/inquiries/<int:pk>/", views.inquiry_detail, name="inquiry"),
    # citizens
    path("my/", views.my_cases, name="my"),
    path("my/register/", views.citizen_register, name="citizen_register"),
    path("my/login/", views.citizen_login, name="citizen_login"),
    path("my/cases/<int:pk>/", views.my_case, name="my_case"),
    path("my/cases/<int:pk>/notices/<str:notice>/", views.my_notice, name="my_notice"),
    path("my/cases/<int:pk>/notices/<str:notice>.pdf", views.my_notice, {"fmt": "pdf"}, name="my_notice_pdf"),
    path("apply/<str:code>/", views.apply, name="apply"),
    path(
        "centers/<slug:code>/chief-representatives/",
        views_authority.public_chief_representatives,
        name="chief_representatives",
    ),
    path("track/", views.track, name="track"),
    path("track/<int:pk>/notices/<str:notice>/", views.track_notice, name="track_notice"),
    path(
        "track/<int:pk>/notices/<str:notice>.pdf", views.track_notice, {"fmt": "pdf"}, name="track_notice_pdf"
    ),
]

# --- public17: 网上办事, the items one may apply for online ---
from . import views_online  # noqa: E402

urlpatterns.insert(0, path("apply/", views_online.online_items, name="online_items"))

# --- handover18: 代收代办、收受分离 (cases handed between halls) ---
from . import views_handover  # noqa: E402

urlpatterns += [
    path("staff/handovers/", views_handover.handovers, name="handovers"),
    path("staff/handovers/export.xlsx", views_handover.handovers_export, name="handovers_export"),
    path("staff/handovers/receive-for-other-hall/", views_handover.proxy_intake, name="proxy_intake"),
    path("staff/cases/<str:number>/handover/", views_handover.case_hand_over, name="hand_over"),
    path(
        "staff/cases/<str:number>/handover/receive/", views_handover.handover_receive, name="handover_receive"
    ),
]
