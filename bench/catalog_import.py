"""The catalog's Excel import: a whole district list (5,000 rows) in well under 10 s.

On a fresh database, a district with the departments of the real list of 广安区
(/work/shared/data/real, 1,135 items) and a workbook of `--rows` rows made from those
items repeated with distinct codes. Timed in the same run, on the same database:

* import:  `excel.import_catalog` of the workbook (read, check every row, write the
  items with their history, themes and search terms) — every row new;
* reimport: the same rows with every name revised — every row an update;
* bulk:    a plain `ServiceItem.objects.bulk_create` of the same rows (other codes),
  no checks, no history, no search terms — the floor.

    .venv/bin/python bench/catalog_import.py [--db sqlite|pg] [--rows 5000]

Prints the three times, the ratio of each import to the bulk insert, then
RESULT db=… rows=… import_s=… reimport_s=… bulk_s=… ratio=… target_s=10 verdict=OK|SLOW"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
from harness import fresh_env, manage, shell  # noqa: E402

PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
TARGET_S = 10.0
REAL = "/work/shared/data/real/guangan-district-items.json"

CODE = r"""
import io, json, time
from pathlib import Path
from django.db import transaction
from openpyxl import Workbook
from govhall.catalog import excel
from govhall.catalog.models import ServiceItem
from govhall.centers import services as center_services
from tests.support import make_district

ROWS = int("__ROWS__")
world = make_district(name="基准区", code="990001", prefix="B")
district, admin = world["district"], world["admin"]
real = Path("__REAL__")
if real.exists():
    data = json.loads(real.read_text(encoding="utf-8"))
    items = [(dep["department"], s["name"]) for dep in data for it in dep["items"] for s in it["sub_items"]]
else:
    sub = Path("govhall/catalog/data/guangan-items-subset.json")
    items = [(r["department"], r["name"]) for r in json.loads(sub.read_text(encoding="utf-8"))]
deps = {}
for name in sorted({d for d, _ in items}):
    deps[name] = center_services.department_create(
        by=None, district=district, name=name[:60], code=f"BD{len(deps) + 1:03d}"
    )
kinds = [label for _, label in ServiceItem.Type.choices]
header = [label for _, label, _ in excel.COLUMNS]
rows = []
for i in range(ROWS):
    dep, name = items[i % len(items)]
    rows.append([f"BENCH-{i:06d}", "", name[:200], kinds[i % len(kinds)], "个人", deps[dep].code, "", "县级", "", "", ""])
def workbook(rows):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("事项清单")
    ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


book = workbook(rows)
# The reimport changes every row's name (a revised list): every row an update.
revised = workbook([[r[0], r[1], (r[2][:190] + "（修订）"), *r[3:]] for r in rows])

t = time.perf_counter()
counts = excel.import_catalog(by=admin, district=district, data=book)
import_s = time.perf_counter() - t
assert counts["created"] == ROWS, counts
t = time.perf_counter()
counts = excel.import_catalog(by=admin, district=district, data=revised)
reimport_s = time.perf_counter() - t
assert counts["updated"] == ROWS, counts

by_code = {d.code: d for d in deps.values()}
types = {label: value for value, label in ServiceItem.Type.choices}
t = time.perf_counter()
with transaction.atomic():
    ServiceItem.objects.bulk_create(
        [
            ServiceItem(
                district=district, code=f"PLAIN-{i:06d}", name=r[2], item_type=types[r[3]],
                serving="person", department=by_code[r[5]], center=world["hub"], level="county",
            )
            for i, r in enumerate(rows)
        ],
        batch_size=500,
    )
bulk_s = time.perf_counter() - t
print(f"BENCH {import_s:.3f} {reimport_s:.3f} {bulk_s:.3f} {len(items)}")
"""


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument(
        "--db", choices=["sqlite", "pg"], default="pg" if os.environ.get("DATABASE_URL") else "sqlite"
    )
    p.add_argument("--rows", type=int, default=5000)
    args = p.parse_args()
    if args.db == "pg":
        os.environ.setdefault("DATABASE_URL", PG_URL)
    else:
        os.environ.pop("DATABASE_URL", None)
    env = fresh_env("catalog_import")
    manage(env, "migrate", "--noinput", "-v0")
    out = shell(env, CODE.replace("__ROWS__", str(args.rows)).replace("__REAL__", REAL))
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    import_s, reimport_s, bulk_s, real_items = (float(v) for v in line.split()[1:])
    ratio = import_s / bulk_s if bulk_s else 0.0
    print(f"# {args.rows} rows made from {int(real_items)} real items; db={args.db}")
    print(f"{'what':10} {'seconds':>8} {'x_bulk':>7}")
    print(f"{'import':10} {import_s:8.2f} {ratio:7.1f}")
    print(f"{'reimport':10} {reimport_s:8.2f} {reimport_s / bulk_s if bulk_s else 0:7.1f}")
    print(f"{'bulk':10} {bulk_s:8.2f} {1:7.1f}")
    worst = max(import_s, reimport_s) * 5000 / max(args.rows, 1)
    verdict = "OK" if worst < TARGET_S else "SLOW"
    print(
        f"RESULT db={args.db} rows={args.rows} import_s={import_s:.2f} reimport_s={reimport_s:.2f} "
        f"bulk_s={bulk_s:.2f} ratio={ratio:.1f} target_s={TARGET_S:g} per_5000_s={worst:.1f} verdict={verdict}"
    )


if __name__ == "__main__":
    main()
