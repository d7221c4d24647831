"""Browser tests: the real ASGI server (uvicorn) on a fresh database loaded with
the demo district, driven by Debian's Chromium through Playwright."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


_SERVER_LOG: list[Path] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test shows the tail of the server's log beside its traceback."""
    outcome = yield
    report = outcome.get_result()
    if report.failed and _SERVER_LOG and _SERVER_LOG[-1].exists():
        tail = _SERVER_LOG[-1].read_text(errors="replace").splitlines()[-60:]
        report.sections.append(("server log (last 60 lines)", "\n".join(tail)))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fresh_postgres(url: str) -> str:
    """A fresh database beside the one DATABASE_URL names, for the server under test."""
    import psycopg

    name = f"govhall_e2e_{os.getpid()}"
    base, _, _ = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def _drop_postgres(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Server:
    def __init__(self, base_url: str, env: dict, log: Path):
        self.base_url, self.env, self.log = base_url, env, log

    def manage(self, *args: str) -> str:
        """Run a management command against the server's database (e.g. the daily job)."""
        out = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        return out.stdout


@pytest.fixture(scope="session")
def server():
    tmp = Path(tempfile.mkdtemp(prefix="govhall-e2e-"))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "GOVHALL_VAR": str(tmp),
            "DEBUG": "0",
            "PYTHONUNBUFFERED": "1",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Every browser test logs in from 127.0.0.1: 50 tests log in more than 30 times in
            # 5 minutes, which the per-address login limit (config/settings.py) refuses.
            "GOVHALL_LOGIN_IP_LIMIT": "100000",
        }
    )
    pg_url = None
    if os.environ.get("DATABASE_URL"):
        pg_url = env["DATABASE_URL"] = _fresh_postgres(os.environ["DATABASE_URL"])
    else:
        env["SQLITE_PATH"] = str(tmp / "e2e.sqlite3")
    # --days 0: the halls' people without the lived history (it would cost the session a minute).
    for cmd in (["migrate", "--noinput", "-v0"], ["load_demo", "--quiet", "--days", "0"]):
        subprocess.run([sys.executable, "manage.py", *cmd], cwd=ROOT, env=env, check=True, timeout=300)
    port = _free_port()
    log = tmp / "server.log"
    _SERVER_LOG.append(log)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("server did not start:\n" + log.read_text())
    yield Server(base, env, log)
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    if pg_url:
        _drop_postgres(pg_url)
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(locale="zh-CN", base_url=server.base_url)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    pg.on("dialog", lambda dialog: dialog.accept())  # data-confirm prompts: the user says yes
    yield pg
    context.close()


@pytest.fixture
def phone_page(browser, server):
    context = browser.new_context(
        locale="zh-CN",
        base_url=server.base_url,
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    pg = context.new_page()
    yield pg
    context.close()


def assert_accessible(page) -> None:
    """axe-core: no serious or critical violations on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
    assert not bad, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in bad
    )


def login(page, username: str, password: str = "govhall-demo-2026") -> None:
    page.goto("/staff/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    try:
        page.wait_for_url("**/staff/", timeout=30_000)
    except PlaywrightTimeoutError:
        main = page.locator("main").inner_text(timeout=2_000) if page.locator("main").count() else ""
        raise AssertionError(
            f"login as {username} did not reach /staff/: at {page.url}\n{main[:800]}"
        ) from None


def logout(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def clear_pad(pad) -> None:
    """Rate whatever an earlier test left waiting on the pad, so it shows its idle screen."""
    for _ in range(3):
        if not pad.get_by_role("button", name="非常满意", exact=True).count():
            break
        pad.get_by_role("button", name="非常满意", exact=True).click()
        expect(pad.get_by_role("heading", name="感谢您的评价！")).to_be_visible()
        pad.goto("/pad/")
    expect(pad.get_by_role("heading", name="欢迎评价")).to_be_visible()


def serve_until(console, code: str) -> None:
    """Call and finish at the console until `code` is finished (earlier tests may have left
    others waiting in the same queue)."""
    for _ in range(15):
        if console.locator("#current-ticket").count():
            current = console.locator("#current-ticket").inner_text().strip()
            console.get_by_role("button", name="办结", exact=True).click()
            expect(console.get_by_role("button", name="叫下一位")).to_be_visible()
            if current == code:
                return
        console.get_by_role("button", name="叫下一位").click()
        expect(console.locator("#current-ticket")).to_be_visible()
    raise AssertionError(f"{code} was never called")
