"""Staff pages under load: every staff page p95 < 200 ms with 20 staff users logged in.

The demo district (`load_demo`, whatever it holds) on a fresh database, the real server
(uvicorn, 2 workers). 20 staff sessions of several roles (the district office, branch
managers, clerks, ... — every staff account of the demo in turn) ask for the staff pages
their role may open, in an open loop: requests leave on schedule at `--rate` per second
whatever the server does, each timed from when it was due. `/healthz` is asked in the
same schedule (every `--healthz-every`th request) as the baseline: the ratio says what a
page costs beyond the bare stack on this machine at this moment.

    .venv/bin/python bench/staff_pages.py [--db sqlite|pg] [--users 20] [--rate 20] [--seconds 60]

Prints one line per page (n, p50/p95/p99 in ms, ratio of its p95 to /healthz's p95,
OK or SLOW against the 200 ms bound), then
RESULT db=… users=… rate=… sent=… ok=… errors=… pages=… slow=… healthz_p95_ms=… worst_page=… worst_p95_ms=…"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
from harness import Server, demo_env, manage, shell  # noqa: E402

BOUND_MS = 200.0
PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"

# Run inside the bench database: one session per staff user (several roles), and the
# pages each may open, with the objects of the demo (found, never assumed by id).
SESSIONS = r"""
import json
from django.conf import settings
from django.test import Client
from govhall.accounts.models import RoleAssignment, User
from govhall.cases.models import Case, FirstInquiry
from govhall.catalog.models import ServiceItem

N = int("__USERS__")
staff = list(
    User.objects.filter(is_active=True, role_assignments__isnull=False).distinct().order_by("username")
)
# Round-robin over the roles so every role is among the first users.
by_role = {}
for a in RoleAssignment.objects.filter(user__in=staff).select_related("user", "center").order_by("role", "user__username"):
    by_role.setdefault(a.role, []).append(a)
picked, seen = [], set()
while len(picked) < N and any(by_role.values()):
    for role in sorted(by_role):
        if by_role[role] and len(picked) < N:
            a = by_role[role].pop(0)
            if a.user_id not in seen:
                seen.add(a.user_id)
                picked.append(a)
i = 0
while len(picked) < N and picked:  # fewer staff than sessions: more sessions of the same people
    picked.append(picked[i % len(picked)])
    i += 1
item = ServiceItem.objects.filter(is_active=True).order_by("id").first()
case = Case.objects.exclude(number=None).order_by("-id").first()
inquiry = FirstInquiry.objects.order_by("-id").first()
out = []
for a in picked:
    hall, user = a.center, a.user
    pages = [
        "/staff/", "/staff/people/", f"/staff/people/{user.pk}/", "/staff/audit/", "/staff/tokens/",
        "/staff/centers/", f"/staff/centers/{hall.code}/", f"/staff/centers/{hall.code}/history/",
        "/staff/changes/", "/staff/standards/", "/staff/calendar/", "/staff/district/password-policy/",
        "/staff/staffing/", "/staff/staffing/gaps/", "/staff/staffing/leave/", "/staff/staffing/attendance/",
        "/staff/staffing/rankings/", "/staff/staffing/weights/", f"/staff/staffing/hall/{hall.pk}/posts/",
        f"/staff/staffing/hall/{hall.pk}/coverage/", f"/staff/staffing/hall/{hall.pk}/attendance/",
        f"/staff/staffing/hall/{hall.pk}/training/", f"/staff/staffing/hall/{hall.pk}/assessment/",
        "/staff/catalog/", "/staff/catalog/negative-list/", "/staff/catalog/synonyms/",
        "/staff/queue/", "/staff/queue/stats/", f"/staff/queue/rules/{hall.code}/",
        "/staff/cases/", "/staff/supervision/", "/staff/chief-authorizations/", "/staff/escalations/",
        "/staff/inquiries/", "/staff/district/feedback-deadlines/", "/staff/complaints/", "/staff/unresolved/",
        "/staff/unresolved/by-item/", "/staff/rectifications/", "/staff/ratings/", "/staff/my-ratings/",
        "/staff/pads/", "/staff/checks/stationing/",
        # coordination (issue 18) and 代收代办
        "/staff/notices/", "/staff/notices/sent/", "/staff/meetings/", "/staff/action-items/",
        "/staff/help/", "/staff/help/figures/", "/staff/handovers/",
    ]
    if item:
        pages += [f"/staff/catalog/items/{item.pk}/", f"/staff/catalog/items/{item.pk}/guide/",
                  f"/staff/catalog/items/{item.pk}/versions/"]
    if case:
        pages.append(f"/staff/cases/{case.number}/")
    if inquiry:
        pages.append(f"/staff/inquiries/{inquiry.pk}/")
    c = Client()
    c.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={c.cookies[settings.SESSION_COOKIE_NAME].value}"
    out.append({"user": user.username, "role": a.role, "hall": hall.code, "cookie": cookie, "pages": pages})
print("SESSIONS " + json.dumps(out))
"""


def _quantiles(xs: list[float]) -> tuple[float, float, float]:
    if len(xs) < 2:
        v = xs[0] if xs else 0.0
        return v, v, v
    q = statistics.quantiles(xs, n=100, method="inclusive")
    return q[49], q[94], q[98]


def _name(page: str, sess: dict) -> str:
    """A page named by its pattern: every user's hall and objects alike."""
    parts = page.replace(sess["hall"], "<hall>").strip("/").split("/")
    return "/" + "/".join("<id>" if any(ch.isdigit() for ch in p) else p for p in parts) + "/"


async def _probe(client: httpx.AsyncClient, sessions: list[dict]) -> list[tuple[str, str, str]]:
    """(name, page, cookie) for every page that answers its user 200, asked once (which
    also warms it): a role's refused pages are not its pages."""
    pairs = []
    for sess in sessions:
        for page in sess["pages"]:
            r = await client.get(page, headers={"Cookie": sess["cookie"]})
            if r.status_code == 200:
                pairs.append((_name(page, sess), page, sess["cookie"]))
    return pairs


async def _warm(base: str, pairs: list[tuple[str, str, str]], workers: int) -> None:
    """The probe asks over one kept-alive connection, so it warms one server process only;
    the others would pay their first imports, templates and connections inside the timed
    run. Ask every page a few times at once on fresh connections, so each process has
    answered it before the clock starts (not timed)."""
    first: dict[str, tuple[str, str]] = {}
    for name, page, cookie in pairs:
        first.setdefault(name, (page, cookie))
    limits = httpx.Limits(max_connections=4 * workers, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        for page, cookie in first.values():
            await asyncio.gather(*(client.get(page, headers={"Cookie": cookie}) for _ in range(3 * workers)))


async def _run(base: str, sessions: list[dict], args) -> dict:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        pairs = await _probe(client, sessions)
        await _warm(base, pairs, args.workers)
        lat: dict[str, list[float]] = defaultdict(list)
        codes: dict[str, list[int]] = defaultdict(list)
        errors = 0

        async def one(name: str, path: str, cookie: str | None, due: float) -> None:
            nonlocal errors
            try:
                r = await client.get(path, headers={"Cookie": cookie} if cookie else None)
                codes[name].append(r.status_code)
            except httpx.HTTPError:
                errors += 1
                return
            lat[name].append((time.perf_counter() - due) * 1e3)

        n = int(args.rate * args.seconds)
        t0 = time.perf_counter() + 0.2
        tasks = []
        k = 0
        for i in range(n):
            due = t0 + i / args.rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if i % args.healthz_every == 0:
                tasks.append(asyncio.create_task(one("/healthz", "/healthz", None, due)))
                continue
            name, page, cookie = pairs[k % len(pairs)]
            k += 1
            tasks.append(asyncio.create_task(one(name, page, cookie, due)))
        await asyncio.gather(*tasks)
    return {"lat": lat, "codes": codes, "errors": errors, "sent": n}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument(
        "--db", choices=["sqlite", "pg"], default="pg" if os.environ.get("DATABASE_URL") else "sqlite"
    )
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--rate", type=float, default=20, help="requests per second, all users together")
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--healthz-every", type=int, default=10)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument(
        "--demo-from",
        default="",
        help="skip migrate + load_demo: copy this SQLite file, or (pg) clone this database as a template",
    )
    args = p.parse_args()

    started = time.perf_counter()
    env = demo_env("staff_pages", db=args.db, demo_from=args.demo_from, pg_url=PG_URL)
    if not args.demo_from:
        manage(env, "load_demo", "--quiet")
    loaded_s = time.perf_counter() - started
    out = shell(env, SESSIONS.replace("__USERS__", str(args.users)))
    sessions = json.loads(next(x for x in out.splitlines() if x.startswith("SESSIONS "))[len("SESSIONS ") :])
    roles = sorted({s["role"] for s in sessions})
    print(f"# demo loaded in {loaded_s:.0f} s; {len(sessions)} sessions, roles: {', '.join(roles)}")

    with Server(env, workers=args.workers) as server:
        res = asyncio.run(_run(server.base, sessions, args))

    _, health_p95, _ = _quantiles(res["lat"]["/healthz"])
    rows = []
    for name, xs in res["lat"].items():
        p50, p95, p99 = _quantiles(xs)
        bad = sum(1 for c in res["codes"][name] if c != 200)
        rows.append((p95, name, len(xs), p50, p99, bad))
    rows.sort(reverse=True)
    print(f"{'page':45} {'n':>4} {'p50_ms':>8} {'p95_ms':>8} {'p99_ms':>8} {'x_healthz':>9} non200")
    for p95, name, n, p50, p99, bad in rows:
        verdict = "" if name == "/healthz" else ("OK" if p95 < BOUND_MS else "SLOW")
        ratio = p95 / health_p95 if health_p95 else 0
        print(f"{name:45} {n:4d} {p50:8.1f} {p95:8.1f} {p99:8.1f} {ratio:9.1f} {bad:6d} {verdict}")
    pages = [r for r in rows if r[1] != "/healthz"]
    slow = [r for r in pages if r[0] >= BOUND_MS]
    ok = sum(1 for cs in res["codes"].values() for c in cs if c == 200)
    worst = pages[0] if pages else (0, "-", 0, 0, 0, 0)
    print(
        f"RESULT db={args.db} users={len(sessions)} rate={args.rate:g} sent={res['sent']} ok={ok} "
        f"errors={res['errors']} pages={len(pages)} slow={len(slow)} healthz_p95_ms={health_p95:.1f} "
        f"worst_page={worst[1]} worst_p95_ms={worst[0]:.1f}"
    )


if __name__ == "__main__":
    main()
