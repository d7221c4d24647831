from django.urls import path

from . import views, views_checks, views_cockpit

app_name = "dashboards"
urlpatterns = [
    path("", views.workbench, name="workbench"),
    # ── 工作台 (workbench) ──
    path("workbench/halls/<int:pk>/waiting/", views.hall_waiting_live, name="hall_waiting"),
    # ── 明进暗不进检查 (stationing check) ──
    path("checks/stationing/", views_checks.stationing, name="checks_stationing"),
    path("checks/stationing/export.xlsx", views_checks.stationing_export, name="checks_stationing_export"),
    # ── 驾驶舱 (district cockpit) ──
    path("cockpit/", views_cockpit.cockpit, name="cockpit"),
    path("cockpit/export.xlsx", views_cockpit.cockpit_export, name="cockpit_export"),
    path("cockpit/tickets/", views_cockpit.tickets, name="cockpit_tickets"),
    path("cockpit/tickets/export.xlsx", views_cockpit.tickets_export, name="cockpit_tickets_export"),
]
