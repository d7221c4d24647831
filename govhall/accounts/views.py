from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .forms import LoginForm
from .selectors import roles_of


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get(self, request, *args, **kwargs):
        if request.GET.get("timeout"):
            messages.info(request, "您已超过 30 分钟未操作，为保护数据安全已自动退出，请重新登录。")
        return super().get(request, *args, **kwargs)


def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes: 5 failed logins for one username from one address."""
    return render(request, "accounts/locked_out.html", status=429)


@login_required
def dashboard(request):
    from .dashboards import dashboard_context

    return render(request, "accounts/dashboard.html", dashboard_context(request.user))


def role_labels(user) -> list[str]:
    from .models import Role

    return [Role(r).label for r in sorted(roles_of(user))]
