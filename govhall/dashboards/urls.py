from django.urls import path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.workbench, name="workbench"),
    # --- wb16 ---
    path("workbench/halls/<int:pk>/waiting/", views.hall_waiting_live, name="hall_waiting"),
]
