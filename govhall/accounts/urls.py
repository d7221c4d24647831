from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("people/", views.people, name="people"),
    path("people/export.xlsx", views.people_export, name="people_export"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/roles/", views.person_role_assign, name="person_role_assign"),
    path(
        "people/<int:pk>/roles/<int:assignment_pk>/revoke/",
        views.person_role_revoke,
        name="person_role_revoke",
    ),
    path("people/<int:pk>/badge/", views.person_badge, name="person_badge"),
    path("people/<int:pk>/photo/", views.person_photo, name="person_photo"),
    path("people/<int:pk>/phone/", views.person_phone_reveal, name="person_phone_reveal"),
    path("audit/", views.audit, name="audit"),
    path("audit/export.xlsx", views.audit_export, name="audit_export"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
