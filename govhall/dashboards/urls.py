from django.urls import path

from . import views, views_cockpit

app_name = "dashboards"
urlpatterns = [
    path("", views.workbench, name="workbench"),
    # --- cockpit16 ---
    path("cockpit/", views_cockpit.cockpit, name="cockpit"),
    path("cockpit/export.xlsx", views_cockpit.cockpit_export, name="cockpit_export"),
    path("cockpit/tickets/", views_cockpit.tickets, name="cockpit_tickets"),
    path("cockpit/tickets/export.xlsx", views_cockpit.tickets_export, name="cockpit_tickets_export"),
]
