from django.urls import path

from . import views_staff as views

app_name = "centers"
urlpatterns = [
    path("centers/", views.center_list, name="list"),
]
