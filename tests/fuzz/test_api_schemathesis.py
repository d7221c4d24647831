"""schemathesis over /api/v1/openapi.json against the real server, with a token
of the district office (who may call nearly every operation): whatever the
generated input, no answer is a 5xx. Bounded examples per operation so CI stays
quick; run with more (`SCHEMATHESIS_EXAMPLES=100`) before a release."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "5")


def _district_office_token(server) -> str:
    out = server.manage(
        "shell",
        "-c",
        "from govhall.accounts.models import User;"
        "from govhall.accounts.services import api_token_issue;"
        "from govhall.centers.models import Center;"
        "admin = User.objects.get(username='admin');"
        "print(api_token_issue(by=admin, user=admin, name='schemathesis', centers=list(Center.objects.all()))[1])",
    )
    return out.strip().splitlines()[-1]


def test_no_generated_request_gets_a_server_error(server):
    cli = Path(sys.executable).with_name("schemathesis")
    if not cli.exists():
        cli = Path(shutil.which("schemathesis") or "")
    assert cli.is_file(), "schemathesis is a test dependency: `make test` installs it"
    token = _district_office_token(server)
    out = subprocess.run(
        [
            str(cli),
            "run",
            f"{server.base_url}/api/v1/openapi.json",
            "--experimental=openapi-3.1",
            "--checks",
            "not_a_server_error",
            "-H",
            f"Authorization: Bearer {token}",
            "--hypothesis-max-examples",
            EXAMPLES,
            "--hypothesis-phases",
            "explicit,generate",
            "--hypothesis-seed",
            "13",
            "--request-timeout",
            "10000",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    checked = re.search(r"not_a_server_error\s+(\d+) / (\d+) passed", out.stdout)
    assert checked and checked.group(1) == checked.group(2) and int(checked.group(1)) > 100, out.stdout[
        -4000:
    ]
    log = server.log.read_text()
    assert " 500 " not in log and "Traceback" not in log, log[-3000:]
