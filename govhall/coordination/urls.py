from django.urls import path  # noqa: F401

app_name = "coordination"
urlpatterns: list = []

# --- notice18 ---
from . import views_notices  # noqa: E402

urlpatterns += [
    path("staff/notices/", views_notices.notice_inbox, name="notice_inbox"),
    path("staff/notices/sent/", views_notices.notice_sent, name="notice_sent"),
    path("staff/notices/new/", views_notices.notice_new, name="notice_new"),
    path("staff/notices/<int:pk>/", views_notices.notice_detail, name="notice_detail"),
    path("staff/notices/<int:pk>/reply/", views_notices.notice_reply, name="notice_reply"),
    path("staff/notices/<int:pk>/track/", views_notices.notice_track, name="notice_track"),
    path(
        "staff/notices/<int:pk>/track/export.xlsx",
        views_notices.notice_track_export,
        name="notice_track_export",
    ),
    path("staff/notices/<int:pk>/remind/", views_notices.notice_remind, name="notice_remind"),
    path(
        "staff/notices/<int:pk>/files/<int:aid>/", views_notices.notice_attachment, name="notice_attachment"
    ),
]
