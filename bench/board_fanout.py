"""Board fan-out: N boards (default 200) hold the hall's SSE stream open; a
clerk calls tickets through the API; each board must receive each call within
1 second (p99). With REDIS_URL set the server runs 2 workers (boards and clerk
on different processes, joined by Redis pub/sub); without it, 1 worker
(in-process pub/sub reaches only its own process).

    .venv/bin/python bench/board_fanout.py [--boards 200] [--calls 10]
Prints: RESULT boards=… calls=… delivered=… missing=… p50_ms=… p95_ms=… p99_ms=… max_ms=…"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
from harness import Server, fresh_env, prepare, shell  # noqa: E402
from sse import SSEClient  # noqa: E402

HALL = "HC-MZ"
TOKEN_CODE = """
from govhall.accounts.models import User
from govhall.accounts.services import api_token_issue
from govhall.centers.models import Center
t, k = api_token_issue(by=User.objects.get(username="admin"), user=User.objects.get(username="clerk_mz"),
                       name="bench", centers=[Center.objects.get(code="HC-MZ")])
print(k)
"""


def api(base: str, method: str, path: str, key: str | None = None, body: dict | None = None):
    req = urllib.request.Request(
        base + path,
        method=method,
        data=json.dumps(body or {}).encode(),
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"null")


async def run(args) -> None:
    redis = bool(os.environ.get("REDIS_URL"))
    env = fresh_env("fanout")
    prepare(env)
    key = shell(env, TOKEN_CODE).splitlines()[-1]
    workers = 2 if redis else 1
    with Server(env, workers=workers) as server:
        boards = [SSEClient("127.0.0.1", server.port, f"/board/{HALL}/events/") for _ in range(args.boards)]
        await asyncio.gather(*(b.connect() for b in boards))
        await asyncio.gather(*(b.event() for b in boards))  # the initial state
        window = next(
            w
            for w in api(server.base, "GET", "/api/v1/windows", key)
            if w["hall"] == HALL and w["number"] == 1
        )
        api(server.base, "POST", f"/api/v1/windows/{window['id']}/open", key)
        for _ in range(args.calls):
            api(server.base, "POST", f"/api/v1/halls/{HALL}/tickets", None, {"queue": "A"})
        await asyncio.sleep(1.0)  # let the coalesced "ticket taken" updates pass
        latencies, missing = [], 0
        for _ in range(args.calls):
            t0 = time.perf_counter()
            called = await asyncio.to_thread(
                api, server.base, "POST", f"/api/v1/windows/{window['id']}/call-next", key
            )
            code = called["ticket"]["code"]

            async def wait(board, code=code, t0=t0):
                while True:
                    _, data = await board.event()
                    if isinstance(data, dict) and (data.get("call") or {}).get("code") == code:
                        return time.perf_counter() - t0

            results = await asyncio.gather(
                *(asyncio.wait_for(wait(b), timeout=5) for b in boards), return_exceptions=True
            )
            for r in results:
                if isinstance(r, BaseException):
                    missing += 1
                else:
                    latencies.append(r)
            api(server.base, "POST", f"/api/v1/windows/{window['id']}/finish", key)
            await asyncio.sleep(0.7)
        for b in boards:
            b.close()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    print(
        f"RESULT boards={args.boards} calls={args.calls} workers={workers} pubsub={'redis' if redis else 'in-process'} "
        f"delivered={len(latencies)} missing={missing} p50_ms={q[49] * 1e3:.1f} p95_ms={q[94] * 1e3:.1f} "
        f"p99_ms={q[98] * 1e3:.1f} max_ms={max(latencies, default=0) * 1e3:.1f} "
        f"target_p99_ms=1000 ok={missing == 0 and q[98] < 1.0}"
    )


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--boards", type=int, default=200)
    p.add_argument("--calls", type=int, default=10)
    asyncio.run(run(p.parse_args()))
