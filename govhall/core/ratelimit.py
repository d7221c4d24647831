"""Abuse limits: how often one address, one phone, or everyone together may do
something that costs money (an SMS), guesses a secret (a case number with a
phone, a password) or takes a scarce thing (a ticket).

The rules live in settings.GOVHALL_RATE_LIMITS (config/settings.py), each a
door (method + path pattern), what is counted (the client address, a phone in
the request, or all requests together), how many, and per how many seconds.
Counters are in the shared cache, so a limit holds across server processes;
if the cache is down, requests are let through (logged) rather than refused.

The client address is REMOTE_ADDR: behind a proxy, uvicorn rewrites it from
X-Forwarded-For only for the proxies named in --forwarded-allow-ips
(FORWARDED_ALLOW_IPS), so a forged header from anywhere else changes nothing."""

from __future__ import annotations

import json
import logging
import math
import re
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

log = logging.getLogger("govhall.ratelimit")


@dataclass(frozen=True)
class Rule:
    name: str
    path: re.Pattern[str]
    by: str  # "ip", "phone" (a field named phone in the form or JSON body) or "all"
    limit: int
    seconds: int
    method: str = "POST"
    when: tuple[str, str] | None = None  # only if this form field has this value
    failures_only: bool = False  # count only answers that are not a redirect (a failed login)


def rules() -> list[Rule]:
    return [
        Rule(
            name=r["name"],
            path=re.compile(r["path"]),
            by=r["by"],
            limit=int(r["limit"]),
            seconds=int(r["seconds"]),
            method=r.get("method", "POST"),
            when=(str(r["when"][0]), str(r["when"][1])) if r.get("when") else None,
            failures_only=r.get("counts") == "failures",
        )
        for r in getattr(settings, "GOVHALL_RATE_LIMITS", [])
    ]


def _phone(request: HttpRequest) -> str:
    phone = request.POST.get("phone", "") if request.content_type != "application/json" else ""
    if not phone and request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return ""
        phone = data.get("phone", "") if isinstance(data, dict) else ""
    return re.sub(r"\s+", "", str(phone or ""))


def _field(request: HttpRequest, name: str) -> str:
    return request.POST.get(name, "") if request.content_type != "application/json" else ""


def _key(rule: Rule, who: str, now: float) -> tuple[str, int]:
    window = int(now // rule.seconds)
    return f"rl:{rule.name}:{who}:{window}", window


def _wait(rule: Rule, window: int, now: float) -> int:
    return max(1, math.ceil((window + 1) * rule.seconds - now))


def hit(rule: Rule, who: str) -> int:
    """Count one request of `who` under `rule`: 0 if allowed, else seconds to wait."""
    from django.core.cache import cache

    now = time.time()
    key, window = _key(rule, who, now)
    try:
        cache.add(key, 0, rule.seconds + 1)
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, rule.seconds + 1)
        count = 1
    except Exception as exc:  # noqa: BLE001 - a cache outage lets requests through
        log.warning("限流计数不可用（%s），本次放行：%s", type(exc).__name__, rule.name)
        return 0
    if count <= rule.limit:
        return 0
    return _wait(rule, window, now)


def spent(rule: Rule, who: str) -> int:
    """Without counting: 0 if `who` may still try under `rule`, else seconds to wait
    (a rule that counts failures is checked before and counted after the answer)."""
    from django.core.cache import cache

    now = time.time()
    key, window = _key(rule, who, now)
    try:
        count = int(cache.get(key) or 0)
    except Exception as exc:  # noqa: BLE001 - a cache outage lets requests through
        log.warning("限流计数不可用（%s），本次放行：%s", type(exc).__name__, rule.name)
        return 0
    return _wait(rule, window, now) if count >= rule.limit else 0


class RateLimitMiddleware:
    """Answers 429 (JSON on the API, the Chinese page elsewhere) with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.rules = rules()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        failures: list[tuple[Rule, str]] = []  # counted after the answer, if it is a failure
        for rule in self.rules:
            if request.method != rule.method or not rule.path.search(request.path):
                continue
            if rule.when and _field(request, rule.when[0]) != rule.when[1]:
                continue
            who = self._who(request, rule)
            if who is None:
                continue
            if rule.failures_only:
                wait = spent(rule, who)
                failures.append((rule, who))
            else:
                wait = hit(rule, who)
            if wait:
                return self._refuse(request, rule, wait)
        response = self.get_response(request)
        if failures and not 300 <= response.status_code < 400:
            for rule, who in failures:
                hit(rule, who)
        return response

    @staticmethod
    def _who(request: HttpRequest, rule: Rule) -> str | None:
        if rule.by == "ip":
            return request.META.get("REMOTE_ADDR") or "?"
        if rule.by == "phone":
            return _phone(request) or None
        return "all"

    @staticmethod
    def _refuse(request: HttpRequest, rule: Rule, wait: int) -> HttpResponse:
        log.warning("限流：%s %s（%s）", rule.name, request.path, request.META.get("REMOTE_ADDR"))
        when = f"{wait} 秒" if wait < 120 else f"{math.ceil(wait / 60)} 分钟"
        message = f"操作过于频繁，请 {when}后再试。"
        response: HttpResponse
        if request.path.startswith("/api/"):
            body: dict[str, Any] = {"detail": message, "code": "rate_limited", "retry_after": wait}
            response = JsonResponse(body, status=429, json_dumps_params={"ensure_ascii": False})
        else:
            response = render(request, "400.html", {"exception": message}, status=429)
        response["Retry-After"] = str(wait)
        return response
