from django.urls import path

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
    path("standards/", views.standards, name="standards"),
    path("standards/export.xlsx", views.standards_export, name="standards_export"),
]
