"""Upload size bounds memory: an .xlsx holding one ~400 MB cell (a few hundred KB
zipped) uploaded to the district office's catalog import in a real server
process is refused with a clear 400, and the server's resident memory rises by
less than 100 MB over idle (core.xlsx.open_upload checks the unpacked size
before opening anything)."""

import re
import threading
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from .conftest import free_port

pytestmark = pytest.mark.faults

CELL_BYTES = 400 * 1024 * 1024
LIMIT_MB = 100
PASSWORD = "govhall-demo-2026"

PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="事项" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def build_bomb(path: Path) -> int:
    """A valid .xlsx whose A1 is one inline string of CELL_BYTES characters,
    streamed into the zip (deflate packs the repeats ~1000:1)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, text in PARTS.items():
            zf.writestr(name, text)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
            )
            chunk = b"A" * (4 * 1024 * 1024)
            for _ in range(CELL_BYTES // len(chunk)):
                f.write(chunk)
            f.write(b"</t></is></c></row></sheetData></worksheet>")
    return path.stat().st_size


def _kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


def test_upload_bomb_is_refused_within_100_mb_of_idle(stack_factory, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    size = build_bomb(bomb)
    stack = stack_factory("memory")
    port = free_port()
    stack.start(port)
    pid = stack.procs[port].pid  # uvicorn with one worker serves in this process

    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, timeout=120) as client:
        # Warm-up: log in as the district office and open the import page (code paths loaded).
        client.get("/staff/login/")
        r = client.post(
            "/staff/login/",
            data={
                "username": "admin",
                "password": PASSWORD,
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
            },
        )
        assert r.status_code in (200, 302) and "sessionid" in client.cookies, r.text[:500]
        page = client.get("/staff/catalog/import/")
        assert page.status_code == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        time.sleep(0.5)
        # Peak resident memory from here on: VmHWM reset (clear_refs 5), and sampled every 20 ms.
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        idle = _kb(pid, "VmRSS")
        peak = [idle]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], _kb(pid, "VmRSS"))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            r = client.post(
                "/staff/catalog/import/",
                data={"csrfmiddlewaretoken": token},
                files={
                    "file": (
                        "bomb.xlsx",
                        bomb.read_bytes(),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    )
                },
            )
        finally:
            done.set()
            sampler.join()
        hwm = _kb(pid, "VmHWM")
    top = max(peak[0], hwm)
    rise_mb = (top - idle) / 1024
    print(
        f"\nupload bomb: file {size / 1024:.0f} KB holding a {CELL_BYTES // 2**20} MB cell; server RSS idle "
        f"{idle / 1024:.0f} MB, peak {top / 1024:.0f} MB (sampled {peak[0] / 1024:.0f}, VmHWM "
        f"{hwm / 1024:.0f}), rise {rise_mb:.1f} MB; answer {r.status_code}"
    )
    # A clear refusal, next to the field, nothing imported.
    assert r.status_code == 400, r.text[:500]
    assert "文件解压后超过" in r.text
    assert rise_mb < LIMIT_MB
