import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse


class IdleTimeoutMiddleware:
    """Staff sessions end after STAFF_IDLE_TIMEOUT_SECONDS (30 minutes) without a request."""

    KEY = "last_seen"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.KEY)
            if last is not None and now - int(last) > settings.STAFF_IDLE_TIMEOUT_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                login_url = reverse(settings.LOGIN_URL)
                return redirect(f"{login_url}?next={request.path}&timeout=1")
            request.session[self.KEY] = now
        return self.get_response(request)
