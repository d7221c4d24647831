"""Coordination's pages: staff pages under /staff/ (notices, meetings, action items, help
requests) and the public ones (kiosk help request, a hall's 公示公开)."""

from django.urls import path

from . import views_disclosure, views_help, views_meetings, views_notices

app_name = "coordination"
urlpatterns: list = []

# ── 信息沟通 (notices) ──

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


# ── 联席会议 (joint meetings) ──

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


# ── 帮办代办 (help requests) and 公示公开 (disclosure) ──

urlpatterns += [
    path("kiosk/<slug:code>/help/", views_help.help_kiosk, name="help_kiosk"),
    path("help/<slug:code>/", views_help.help_phone, name="help_phone"),
    path("staff/help/", views_help.help_list, name="help_list"),
    path("staff/help/export.xlsx", views_help.help_export, name="help_export"),
    path("staff/help/new/", views_help.help_new, name="help_new"),
    path("staff/help/figures/", views_help.help_figures, name="help_figures"),
    path("staff/help/<str:number>/", views_help.help_detail, name="help_detail"),
    path(
        "staff/help/<str:number>/authorizations/<int:pk>/file/",
        views_help.help_authorization_file,
        name="help_authorization_file",
    ),
    path("staff/help/<str:number>/reveal/", views_help.help_reveal, name="help_reveal"),
    path("staff/help/<str:number>/<str:step>/", views_help.help_action, name="help_action"),
    path("disclosure/", views_disclosure.disclosure_index, name="disclosure_index"),
    path("centers/<slug:code>/disclosure/", views_disclosure.disclosure, name="disclosure"),
]
