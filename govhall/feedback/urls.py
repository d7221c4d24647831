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

# ── Ratings: public pages (issue 15: phone, account, monthly figures) ──
from . import views_public  # noqa: E402

urlpatterns += [
    path("rate/<str:token>/", views_public.rate, name="rate"),
    path("my/cases/<int:pk>/rate/<str:step>/", views_public.my_rate, name="my_rate"),
    path("centers/<slug:code>/ratings/", views_public.center_ratings, name="center_ratings"),
]

# ── Rectification pages (差评整改, 好差评明细, 我收到的评价) ──
from . import views_rect  # noqa: E402

urlpatterns += [
    path("staff/rectifications/", views_rect.rect_list, name="rect_list"),
    path("staff/rectifications/export.xlsx", views_rect.rect_export, name="rect_export"),
    path("staff/rectifications/<int:pk>/", views_rect.rect_detail, name="rect_detail"),
    path("staff/rectifications/<int:pk>/<str:step>/", views_rect.rect_step, name="rect_step"),
    path("staff/ratings/", views_rect.rating_list, name="rating_list"),
    path("staff/ratings/export.xlsx", views_rect.rating_export, name="rating_export"),
    path("staff/my-ratings/", views_rect.my_ratings, name="my_ratings"),
]

# ── Rating pads (评价器) ──
from . import views_pad  # noqa: E402

urlpatterns += [
    path("pad/", views_pad.pad, name="pad"),
    path("pad/live/", views_pad.pad_live, name="pad_live"),
    path("pad/events/", views_pad.pad_events, name="pad_events"),
    path("pad/rate/", views_pad.pad_rate, name="pad_rate"),
    path("pad/photo/", views_pad.pad_photo, name="pad_photo"),
    path("staff/pads/", views_pad.pads_manage, name="pads_manage"),
    path("staff/pads/issue/", views_pad.pad_issue, name="pad_issue"),
    path("staff/pads/<int:pk>/revoke/", views_pad.pad_revoke, name="pad_revoke"),
]

# --- public17: 评价与投诉, the citizen's starting page ---
from . import views_journeys  # noqa: E402

urlpatterns += [path("feedback/", views_journeys.public_feedback, name="public_feedback")]
