"""Request-wide middleware: large type (适老化) and the request guard."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render

log = logging.getLogger("govhall.requests")


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


# C0 control characters other than tab, newline and carriage return: no name,
# address or note ever holds one, PostgreSQL refuses NUL, and a spreadsheet
# cannot hold any of them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
API_PREFIX = "/api/"


def _form_field_with_control_character(data: QueryDict) -> str | None:
    """The first form or query field any of whose values holds a control character."""
    for key, values in data.lists():
        if CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(v) for v in values):
            return key
    return None


def _first_control_character(value: Any, path: str = "") -> str | None:
    """The name of the first field (dotted for JSON) whose text holds a control character."""
    if isinstance(value, str):
        return (path or "（请求）") if CONTROL_CHARACTERS.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and CONTROL_CHARACTERS.search(key):
                return name
            found = _first_control_character(item, name)
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _first_control_character(item, f"{path}[{i}]")
            if found:
                return found
    return None


class RequestGuardMiddleware:
    """Before anything reads a request: a body over the size limit is answered
    413, and text holding a control character 400/422 — in the API as JSON in
    its usual shape, on pages as the Chinese error page. Nothing is written."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self._check(request)
        return refused if refused is not None else self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        field = _form_field_with_control_character(request.GET)
        if field is None and request.method in {"POST", "PUT", "PATCH", "DELETE"}:
            try:
                field = self._body_field(request)
            except RequestDataTooBig:
                return self._refuse(
                    request, 413, "提交的内容过大，请减少内容或分批提交。", "too_large", field=None
                )
        if field is None:
            return None
        message = f"“{field}”中含有不可见的控制字符，请删除后重新提交。"
        return self._refuse(
            request, 422 if self._is_api(request) else 400, message, "control_character", field
        )

    @staticmethod
    def _body_field(request: HttpRequest) -> str | None:
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith("multipart/"):
            # Files stream to their upload handlers; only the text fields are looked at.
            return _form_field_with_control_character(request.POST)
        body = request.body  # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (RequestDataTooBig)
        if content_type.startswith("application/json"):
            try:
                data = json.loads(body or b"null")
            except ValueError:
                return None  # the API answers malformed JSON itself
            return _first_control_character(data)
        if content_type.startswith("application/x-www-form-urlencoded"):
            return _form_field_with_control_character(request.POST)
        return None

    @staticmethod
    def _is_api(request: HttpRequest) -> bool:
        return request.path.startswith(API_PREFIX)

    def _refuse(self, request: HttpRequest, status: int, message: str, code: str, field: str | None):
        log.warning("请求被拒绝（%s）：%s %s", code, request.method, request.path)
        if self._is_api(request):
            body: dict[str, Any] = {"detail": message, "code": code}
            if field:
                body["errors"] = {field: [message]}
            return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
        return render(request, "400.html", {"exception": message}, status=status)
