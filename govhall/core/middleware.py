class LargeTypeMiddleware:
    """适老化: `?large=1` / `?large=0` switches large type on or off and keeps
    the choice in a cookie, so it works without JavaScript (kiosks, old phones)."""

    COOKIE = "govhall_large"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        choice = request.GET.get("large")
        if choice in {"0", "1"}:
            request.large_type = choice == "1"
        else:
            request.large_type = request.COOKIES.get(self.COOKIE) == "1"
        response = self.get_response(request)
        if choice in {"0", "1"}:
            response.set_cookie(self.COOKIE, choice, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        return response
