from django.urls import path

from . import views_calendar
from . import views_staff as views

app_name = "centers"
urlpatterns = [
    path("centers/", views.center_list, name="list"),
    path("centers/export.xlsx", views.center_export, name="export"),
    path("centers/<slug:code>/", views.center_detail, name="detail"),
    path("centers/<slug:code>/history/", views.center_history, name="history"),
    path("centers/<slug:code>/<slug:form_name>/", views.center_edit, name="edit"),
    path("changes/", views.change_list, name="changes"),
    path("changes/new/", views.change_new, name="change_new"),
    path("changes/<int:pk>/", views.change_detail, name="change_detail"),
    path("changes/<int:pk>/edit/", views.change_edit, name="change_edit"),
    path("changes/<int:pk>/<slug:action>/", views.change_action, name="change_action"),
    path("district/password-policy/", views_calendar.password_policy, name="password_policy"),
    path("standards/", views.standards, name="standards"),
    path("standards/export.xlsx", views.standards_export, name="standards_export"),
    # 工作日调整: the year's holiday arrangement (entered, confirmed by a second person) and local closures
    path("calendar/", views_calendar.calendar_page, name="calendar"),
    path("calendar/<int:pk>/delete/", views_calendar.calendar_override_remove, name="calendar_delete"),
    path("calendar/arrangements/new/", views_calendar.arrangement_new, name="arrangement_new"),
    path("calendar/arrangements/<int:pk>/", views_calendar.arrangement_detail, name="arrangement"),
    path("calendar/arrangements/<int:pk>/edit/", views_calendar.arrangement_edit, name="arrangement_edit"),
    path(
        "calendar/arrangements/<int:pk>/<slug:action>/",
        views_calendar.arrangement_action,
        name="arrangement_action",
    ),
]
