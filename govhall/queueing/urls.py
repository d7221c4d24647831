from django.urls import path

from . import views, views_stats

app_name = "queueing"

urlpatterns = [
    path("kiosk/<slug:code>/", views.kiosk, name="kiosk"),
    path("kiosk/<slug:code>/qr.svg", views.hall_qr, name="hall_qr"),
    path("tickets/take/<slug:code>/", views.phone_take, name="phone_take"),
    path("tickets/<str:token>/", views.ticket_page, name="ticket"),
    path("tickets/<str:token>/status/", views.ticket_status, name="ticket_status"),
    path("tickets/<str:token>/sms/", views.ticket_sms, name="ticket_sms"),
    path("tickets/<str:token>/requeue/", views.ticket_requeue, name="ticket_requeue"),
    path("board/<slug:code>/", views.board, name="board"),
    path("board/<slug:code>/live/", views.board_live, name="board_live"),
    path("board/<slug:code>/events/", views.board_events, name="board_events"),
    path("appointments/<slug:code>/", views.appointment_book, name="appointment_book"),
    path("appointments/a/<str:token>/", views.appointment_page, name="appointment"),
    path("appointments/a/<str:token>/<str:action>/", views.appointment_action, name="appointment_action"),
    path("staff/queue/", views.console, name="console"),
    path("staff/queue/issue/", views.clerk_issue, name="clerk_issue"),
    path("staff/queue/tickets/<int:pk>/requeue/", views.clerk_requeue, name="clerk_requeue"),
    path("staff/queue/windows/<int:pk>/<str:action>/", views.window_action, name="window_action"),
    path("staff/queue/stats/", views_stats.stats, name="stats"),
    path("staff/queue/waiting/", views.waiting_list, name="waiting"),
    path("staff/queue/rules/<slug:code>/", views.hall_rules, name="hall_rules"),
]

# --- public17: citizens choose a hall; a hall page's live waiting ---
from . import views_citizen  # noqa: E402

urlpatterns += [
    path("halls/take/", views_citizen.choose_take, name="choose_take"),
    path("halls/book/", views_citizen.choose_book, name="choose_book"),
    path("centers/<slug:code>/waiting/", views_citizen.hall_waiting, name="hall_waiting"),
]
