"""The lobby screens: public per hall, staff per hall, and the district office's."""

from django.urls import path

from . import views_lobby

app_name = "lobby"
urlpatterns = [
    path("lobby/<slug:code>/", views_lobby.hall_lobby, name="hall"),
    path("lobby/<slug:code>/live/", views_lobby.hall_lobby_live, name="hall_live"),
    path("staff/lobby/district/", views_lobby.district_lobby, name="district"),
    path("staff/lobby/district/live/", views_lobby.district_lobby_live, name="district_live"),
    path("staff/lobby/<slug:code>/", views_lobby.hall_lobby_staff, name="hall_staff"),
    path("staff/lobby/<slug:code>/live/", views_lobby.hall_lobby_staff_live, name="hall_staff_live"),
]
