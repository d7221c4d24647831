"""Two app servers on one PostgreSQL, joined by Redis: 500 tickets taken at once
across both — no number repeated or skipped, double taps give one ticket — and
a call made on one server reaches a board connected to the other within a second.

Runs real uvicorn processes on a fresh database; only when DATABASE_URL
(PostgreSQL) and REDIS_URL are both set."""

import asyncio
import json
import os
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
    reason="needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
)

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench" / "lib"))

TOKEN_CODE = """
from govhall.accounts.models import User
from govhall.accounts.services import api_token_issue
from govhall.centers.models import Center
t, k = api_token_issue(by=User.objects.get(username="admin"), user=User.objects.get(username="clerk_mz"),
                       name="two-servers", centers=[Center.objects.get(code="HC-MZ")])
print(k)
"""
NUMBERS = """
from govhall.queueing.models import Ticket
print(list(Ticket.objects.filter(center__code="HC", origin_queue__letter="A").values_list("number", flat=True)))
"""


def _post(base, path, body=None, headers=None):
    req = urllib.request.Request(
        base + path,
        method="POST",
        data=json.dumps(body or {}).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def _get(base, path, key):
    req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def test_two_servers_share_numbers_and_boards():
    from harness import Server, fresh_env, prepare, shell
    from sse import SSEClient

    env = fresh_env("two_servers")
    prepare(env)
    key = shell(env, TOKEN_CODE).splitlines()[-1]
    with Server(env, workers=1) as a, Server(env, workers=1) as b:
        bases = [a.base, b.base]

        def take(i):
            return _post(bases[i % 2], "/api/v1/halls/HC/tickets", {"queue": "A"})

        def double_tap(i):
            key_ = {"Idempotency-Key": f"tap-{i}"}
            return [_post(base, "/api/v1/halls/HC/tickets", {"queue": "A"}, key_) for base in bases]

        with ThreadPoolExecutor(max_workers=48) as pool:
            singles = pool.map(take, range(480))
            taps = pool.map(double_tap, range(20))
            singles, taps = list(singles), list(taps)
        assert all(status == 201 for status, _ in singles)
        for first, second in taps:
            assert first[0] == second[0] == 201
            assert first[1]["token"] == second[1]["token"]
        numbers = json.loads(shell(env, NUMBERS).splitlines()[-1].replace("'", '"'))
        assert sorted(numbers) == list(range(1, 501))

        async def board_on_b_sees_call_on_a():
            board = await SSEClient("127.0.0.1", b.port, "/board/HC-MZ/events/").connect()
            await board.event()
            window = next(w for w in _get(a.base, "/api/v1/windows", key) if w["number"] == 1)
            auth = {"Authorization": f"Bearer {key}"}
            await asyncio.to_thread(_post, a.base, f"/api/v1/windows/{window['id']}/open", None, auth)
            await asyncio.to_thread(_post, a.base, "/api/v1/halls/HC-MZ/tickets", {"queue": "A"})
            t0 = time.perf_counter()
            _, called = await asyncio.to_thread(
                _post, a.base, f"/api/v1/windows/{window['id']}/call-next", None, auth
            )
            while True:
                _, data = await asyncio.wait_for(board.event(), timeout=3)
                if isinstance(data, dict) and data.get("call"):
                    board.close()
                    return data["call"], time.perf_counter() - t0, called

        call, elapsed, called = asyncio.run(board_on_b_sees_call_on_a())
        assert call["code"] == called["ticket"]["code"] and call["text"] == f"请{call['code']}号到1号窗口办理"
        assert elapsed < 1.0
