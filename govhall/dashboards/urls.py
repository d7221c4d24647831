from django.urls import path

from . import views, views_checks, views_cockpit

app_name = "dashboards"
urlpatterns = [
    path("", views.workbench, name="workbench"),
    # --- wb16 ---
    path("workbench/halls/<int:pk>/waiting/", views.hall_waiting_live, name="hall_waiting"),
    # --- checks16 ---
    path("checks/stationing/", views_checks.stationing, name="checks_stationing"),
    path("checks/stationing/export.xlsx", views_checks.stationing_export, name="checks_stationing_export"),
    # --- cockpit16 ---
    path("cockpit/", views_cockpit.cockpit, name="cockpit"),
    path("cockpit/export.xlsx", views_cockpit.cockpit_export, name="cockpit_export"),
    path("cockpit/tickets/", views_cockpit.tickets, name="cockpit_tickets"),
    path("cockpit/tickets/export.xlsx", views_cockpit.tickets_export, name="cockpit_tickets_export"),
]
