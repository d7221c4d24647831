from django.urls import path

from . import views_public as views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("centers/<slug:code>/", views.center_detail, name="center"),
]
