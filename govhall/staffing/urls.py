from django.urls import path

from . import views

app_name = "staffing"

urlpatterns = [
    path("", views.index, name="index"),
    path("gaps/", views.gaps, name="gaps"),
    path("leave/", views.leave_list, name="leave_list"),
    path("leave/<int:pk>/", views.leave_detail, name="leave"),
    path("leave/<int:pk>/<str:action>/", views.leave_detail, name="leave_action"),
    path("attendance/", views.attendance, name="attendance"),
    path("rankings/", views.rankings, name="rankings"),
    path("weights/", views.weights, name="weights"),
    path("weights/<int:pk>/<str:action>/", views.weights, name="weights_action"),
    path("hall/<int:pk>/posts/", views.hall_posts, name="posts"),
    path("hall/<int:pk>/leave-rule/", views.leave_rule, name="leave_rule"),
    path("hall/<int:pk>/coverage/", views.hall_coverage, name="coverage"),
    path("hall/<int:pk>/attendance/", views.hall_attendance, name="hall_attendance"),
    path("hall/<int:pk>/training/", views.hall_training, name="training"),
    path("hall/<int:pk>/assessment/", views.hall_assessment, name="assessment"),
]
