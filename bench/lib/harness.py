"""Shared by bench/tickets.py and bench/board_fanout.py: a fresh database (SQLite
file or a PostgreSQL database of its own), migrated and loaded with the demo,
and the real ASGI server (uvicorn, N workers) on a free port."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# ../shared/bench beside the checkout (as CI lays it out); GOVHALL_SHARED_BENCH overrides.
SHARED = Path(os.environ.get("GOVHALL_SHARED_BENCH", str(ROOT.parent / "shared" / "bench")))
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fresh_env(name: str, extra: dict | None = None, template: str = "") -> dict:
    """Environment for a server on a fresh database named after `name` (on PostgreSQL a copy
    of the database `template` when given)."""
    tmp = Path(tempfile.mkdtemp(prefix=f"govhall-{name}-"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "GOVHALL_VAR": str(tmp),
            "DEBUG": "0",
            "PYTHONUNBUFFERED": "1",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
    )
    if os.environ.get("DATABASE_URL"):
        import psycopg

        base, _, _ = os.environ["DATABASE_URL"].rpartition("/")
        db = f"govhall_bench_{name}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{db}"' + (f' TEMPLATE "{template}"' if template else ""))
        env["DATABASE_URL"] = f"{base}/{db}"
    else:
        env["SQLITE_PATH"] = str(tmp / "bench.sqlite3")
    env.update(extra or {})
    return env


def manage(env: dict, *args: str) -> str:
    out = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return out.stdout


def prepare(env: dict) -> None:
    manage(env, "migrate", "--noinput", "-v0")
    # Only the halls and accounts, then our own demo: other apps' demo data is not needed here.
    manage(env, "shell", "-c", "from govhall.centers.demo import load_demo; load_demo()")
    manage(env, "load_demo_queueing", "--quiet")
    # Numbers are given only in the halls' hours: the benchmarks take them whatever the clock says.
    manage(env, "shell", "-c", "from govhall.queueing.demo import hall_open_all_day; hall_open_all_day()")


def shell(env: dict, code: str) -> str:
    return manage(env, "shell", "-c", code).strip()


class Server:
    def __init__(self, env: dict, workers: int = 2, port: int | None = None):
        self.env, self.workers = env, workers
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = Path(env["GOVHALL_VAR"]) / f"server-{self.port}.log"
        self.proc = None

    def __enter__(self):
        self.proc = subprocess.Popen(
            [
                PY,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                "--lifespan",
                "off",
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as r:
                    if r.status == 200:
                        time.sleep(0.5 if self.workers > 1 else 0)
                        return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("server did not start:\n" + self.log.read_text())

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def ceiling_venv_python() -> str | None:
    work = Path(
        os.environ.get("CEIL_WORK")
        or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "govhall-ceiling"
    )
    venv = Path(os.environ.get("CEIL_VENV") or work / "venv")
    py = venv / "bin" / "python"
    return str(py) if py.exists() else None


def parse_result(line: str) -> dict:
    out = {}
    for part in line.split()[1:]:
        if "=" in part:
            k, v = part.split("=", 1)
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out


def demo_env(name: str, *, db: str, demo_from: str, pg_url: str) -> dict:
    """A fresh migrated database for benchmark `name` on `db` ("sqlite" or "pg"): empty, or
    a copy of an already loaded demo (`demo_from`: a SQLite file copied, or a PostgreSQL
    database cloned as a template), migrated to the code's schema."""
    if db == "pg":
        os.environ.setdefault("DATABASE_URL", pg_url)
    else:
        os.environ.pop("DATABASE_URL", None)
    env = fresh_env(name, template=demo_from if db == "pg" else "")
    if demo_from and db == "sqlite":
        shutil.copyfile(demo_from, env["SQLITE_PATH"])
    manage(env, "migrate", "--noinput", "-v0")  # on a copied demo: only what it lacks
    return env
