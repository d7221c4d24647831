from django.urls import path

app_name = "feedback"
urlpatterns: list = []

# ── Complaints ──
from . import views  # noqa: E402

urlpatterns += [
    path("complaints/new/", views.complaint_new, name="complaint_new"),
    path("complaints/track/", views.complaint_track, name="complaint_track"),
    path("staff/complaints/", views.complaint_list, name="complaint_list"),
    path("staff/complaints/export.xlsx", views.complaint_export, name="complaint_export"),
    path("staff/complaints/<str:number>/", views.complaint_detail, name="complaint_detail"),
    path("staff/complaints/<str:number>/<str:step>/", views.complaint_step, name="complaint_step"),
    path("staff/unresolved/", views.unresolved_list, name="unresolved_list"),
    path("staff/unresolved/by-item/", views.unresolved_by_item, name="unresolved_by_item"),
    path("staff/unresolved/<int:pk>/close/", views.unresolved_close, name="unresolved_close"),
]

# ── Feedback settings and staff-recorded complaints (issue 15) ──
from . import views_settings  # noqa: E402

urlpatterns[:0] = [
    path("staff/district/feedback-deadlines/", views_settings.feedback_deadlines, name="feedback_deadlines"),
    # before staff/complaints/<number>/ above, so "record" is not read as a complaint number
    path("staff/complaints/record/", views_settings.complaint_record, name="complaint_record"),
]
