from django.urls import path  # noqa: F401

app_name = "coordination"
urlpatterns: list = []

# --- meet18 ---
from . import views_meetings  # noqa: E402

urlpatterns += [
    path("staff/meetings/", views_meetings.meeting_list, name="meeting_list"),
    path("staff/meetings/new/", views_meetings.meeting_new, name="meeting_new"),
    path("staff/meetings/<int:pk>/", views_meetings.meeting_detail, name="meeting_detail"),
    path("staff/meetings/<int:pk>/attendance/", views_meetings.meeting_attendance, name="meeting_attendance"),
    path("staff/meetings/<int:pk>/minutes/", views_meetings.meeting_minutes, name="meeting_minutes"),
    path("staff/meetings/<int:pk>/decisions/", views_meetings.meeting_decision, name="meeting_decision"),
    path("staff/meetings/<int:pk>/cancel/", views_meetings.meeting_cancel, name="meeting_cancel"),
    path("staff/action-items/", views_meetings.action_item_list, name="action_item_list"),
    path("staff/action-items/export.xlsx", views_meetings.action_item_export, name="action_item_export"),
    path("staff/action-items/<int:pk>/", views_meetings.action_item_detail, name="action_item_detail"),
    path("staff/action-items/<int:pk>/close/", views_meetings.action_item_close, name="action_item_close"),
    path(
        "staff/action-items/<int:pk>/evidence/",
        views_meetings.action_item_evidence,
        name="action_item_evidence",
    ),
]
