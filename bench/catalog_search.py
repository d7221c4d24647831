"""Catalog search over 100,000 items: p50/p95/p99 of one- and two-character
Chinese, full pinyin and initials queries, against a plain indexed lookup
(ServiceItem by code) measured in the same run.

    .venv/bin/python bench/catalog_search.py                 # SQLite file under var/bench/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/catalog_search.py
        # PostgreSQL: only the server of DATABASE_URL is used; the bench works in its
        # own database govhall_bench_catalog (dropped and created again), never in the one named
    options: --items 100000 --runs 200 --keep (reuse the generated database) --drop (delete it afterwards)

Items are written in bulk (not through the services, which would take an
hour for 100,000 items with history); their search terms are computed by the
same `catalog.search.item_terms` the services use.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = {
    "1-char Chinese": ["婚", "证", "税", "车", "药", "残", "房", "学"],
    "2-char Chinese": ["婚姻", "社保", "残疾", "公积", "许可", "登记", "医保", "户口"],
    "full pinyin": ["hunyin", "dengji", "xuke", "canji", "hukou", "yiliao"],
    "initials": ["hydj", "gjj", "xkz", "sbk", "cjr", "jdc"],
}
VARIANTS = [
    "",
    "（县级）",
    "（市级）",
    "变更",
    "延续",
    "注销",
    "补办",
    "新办",
    "（个体）",
    "（企业）",
    "查询",
    "证明",
    "备案",
    "审批",
    "申请",
    "（跨省通办）",
    "（容缺受理）",
    "（告知承诺）",
    "（线上）",
    "（线下）",
]


PG_DATABASE = "govhall_bench_catalog"
SQLITE_FILE = ROOT / "var" / "bench" / "catalog.sqlite3"


def configure(args) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    url = os.environ.get("DATABASE_URL")
    if url:
        base, _, _ = url.rpartition("/")
        if not args.keep:
            import psycopg

            with psycopg.connect(base + "/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
                conn.execute(f"CREATE DATABASE {PG_DATABASE}")
        os.environ["DATABASE_URL"] = f"{base}/{PG_DATABASE}"
        return "postgresql"
    path = SQLITE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    os.environ["SQLITE_PATH"] = str(path)
    return "sqlite"


def base_names() -> list[tuple[str, str]]:
    real = (
        Path(__file__).resolve().parents[1].parent
        / "shared"
        / "data"
        / "real"
        / "guangan-district-items.json"
    )
    out = []
    if real.exists():
        for dep in json.loads(real.read_text(encoding="utf-8")):
            for group in dep["items"]:
                out += [(s["name"].strip(), dep["department"]) for s in group["sub_items"]]
    else:
        subset = ROOT / "govhall" / "catalog" / "data" / "guangan-items-subset.json"
        out = [(r["name"], r["department"]) for r in json.loads(subset.read_text(encoding="utf-8"))]
    extra = [
        "结婚登记",
        "离婚登记",
        "补领婚姻登记证",
        "社会保障卡申领",
        "失业保险金申领",
        "退休待遇核定",
        "残疾人证核发",
        "住房公积金提取",
        "住房公积金个人贷款",
        "退役军人优待证申领",
        "机动车登记",
        "户口迁移",
        "医疗保险参保登记",
        "烟草专卖零售许可证新办",
    ]
    return list(dict.fromkeys(out + [(n, "区综合") for n in extra]))


def generate(n_items: int) -> None:
    from django.db import connection, transaction

    from govhall.catalog import search
    from govhall.catalog.models import SearchTerm, ServiceItem, Synonym, TermStat
    from govhall.centers import services as center_services
    from govhall.centers.models import Center

    district = center_services.district_create(by=None, name="基准区", code="999999")
    hub = center_services.center_create(
        by=None,
        district=district,
        kind=Center.Kind.DISTRICT,
        name="基准区政务服务中心",
        code="BENCH",
        address="基准路 1 号",
    )
    Synonym.objects.create(word="社保", expansions="社会保险、社会保障")
    Synonym.objects.create(word="医保", expansions="医疗保障、医疗保险")
    names = base_names()
    deps = {}
    for _, dep in names:
        if dep not in deps:
            deps[dep] = center_services.department_create(
                by=None, district=district, name=dep, code=f"D{len(deps):03d}"
            )
    types = list(ServiceItem.Type.values)
    type_labels = dict(ServiceItem.Type.choices)
    rng = random.Random(42)
    table = SearchTerm._meta.db_table
    indexes = {
        "catalog_term_weight_item": "term, weight, item_id",
        "catalog_term_item_term": "item_id, term, weight",
    }
    with connection.cursor() as cur:
        for name in indexes:  # built once after the load, not row by row
            cur.execute(f"DROP INDEX IF EXISTS {name}")
    t0 = time.perf_counter()
    batch = 5000
    made = 0
    while made < n_items:
        items = []
        for i in range(made, min(n_items, made + batch)):
            name, dep = names[i % len(names)]
            variant = VARIANTS[(i // len(names)) % len(VARIANTS)]
            round_no = i // (len(names) * len(VARIANTS))
            full = f"{name}{variant}" + (f"（第{round_no}批）" if round_no else "")
            items.append(
                ServiceItem(
                    district=district,
                    code=f"B{i:07d}",
                    name=full[:200],
                    item_type=rng.choice(types),
                    department=deps[dep],
                    center=hub,
                )
            )
        with transaction.atomic():
            ServiceItem.objects.bulk_create(items, batch_size=1000)
            rows = []
            for item in items:
                body = f"{item.department.name} {type_labels[item.item_type]}"
                for term, weight in search.item_terms(name=item.name, body=body).items():
                    rows.append((item.pk, term, weight))
            with connection.cursor() as cur:
                cur.executemany(f"INSERT INTO {table} (item_id, term, weight) VALUES (%s, %s, %s)", rows)
        made += len(items)
        print(f"\r  {made:,} items, {time.perf_counter() - t0:.0f} s", end="", flush=True)
    print()
    print("  indexing and counting terms …", flush=True)
    with connection.cursor() as cur:
        for name, columns in indexes.items():
            cur.execute(f"CREATE INDEX {name} ON {table} ({columns})")
        cur.execute(f"DELETE FROM {TermStat._meta.db_table}")
        cur.execute(
            f"INSERT INTO {TermStat._meta.db_table} (term, items) SELECT term, COUNT(*) FROM {table} GROUP BY term"
        )
    with connection.cursor() as cur:
        # The planners' statistics after the bulk load; on PostgreSQL also the
        # visibility map, without which every index-only scan visits the heap
        # (autovacuum does the same in service, some minutes after a load).
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return qs[49], qs[94], qs[98]


def measure(fn, inputs: list, runs: int) -> list[float]:
    for x in inputs:  # warm-up
        fn(x)
    out = []
    for i in range(runs):
        x = inputs[i % len(inputs)]
        t = time.perf_counter()
        fn(x)
        out.append((time.perf_counter() - t) * 1000)
    return out


def drop(vendor: str) -> None:
    """Delete the generated database (about 1 GB at 100,000 items)."""
    from django.db import connections

    for conn in connections.all():
        conn.close()
        if hasattr(conn, "close_pool"):
            conn.close_pool()
    if vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(SQLITE_FILE) + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        base, _, _ = os.environ["DATABASE_URL"].rpartition("/")
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")  # the bench's own database
    print(f"(deleted the bench database on {vendor})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="reuse the generated database")
    parser.add_argument("--drop", action="store_true", help="delete the generated database afterwards")
    args = parser.parse_args()
    vendor = configure(args)

    import django

    django.setup()
    from django.core.management import call_command

    from govhall.catalog import selectors
    from govhall.catalog.models import SearchTerm, ServiceItem

    call_command("migrate", verbosity=0)
    if not ServiceItem.objects.exists():
        print(f"generating {args.items:,} items on {vendor} …")
        generate(args.items)
    n_items, n_terms = ServiceItem.objects.count(), SearchTerm.objects.count()

    codes = list(ServiceItem.objects.order_by("?").values_list("code", flat=True)[:500])
    rows = []
    plain = measure(lambda c: ServiceItem.objects.filter(code=c).first(), codes, args.runs)
    p_plain = percentiles(plain)
    for label, queries in QUERIES.items():
        hits = [selectors.search_item_ids(q).total for q in queries]
        samples = measure(lambda q: selectors.search_items(q, limit=20), queries, args.runs)
        rows.append((label, percentiles(samples), min(hits), max(hits)))
    load = os.getloadavg()[0]
    worst = max(r[1][1] for r in rows)

    print()
    print(
        f"catalog search on {vendor}: {n_items:,} items, {n_terms:,} search terms; "
        f"{args.runs} searches per query type (first page of 20, items loaded); "
        f"load average {load:.1f} on {os.cpu_count()} cores"
    )
    print()
    print(
        f"| {'query type':<16} | {'p50 ms':>7} | {'p95 ms':>7} | {'p99 ms':>7} | {'p95 / lookup p95':>16} | {'hits':>9} |"
    )
    print(f"|{'-' * 18}|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|{'-' * 17}:|{'-' * 10}:|")
    for label, (p50, p95, p99), lo, hi in rows:
        print(
            f"| {label:<16} | {p50:7.2f} | {p95:7.2f} | {p99:7.2f} | {p95 / p_plain[1]:15.1f}x | {lo:>4}-{hi:<4} |"
        )
    print(
        f"| {'lookup by code':<16} | {p_plain[0]:7.2f} | {p_plain[1]:7.2f} | {p_plain[2]:7.2f} | {1:15.1f}x | {'1':>9} |"
    )
    print()
    print("query types: " + "; ".join(f"{k} = {' '.join(v)}" for k, v in QUERIES.items()))
    print(
        "hits: fewest-most matches over that type's queries (capped at 500); "
        "lookup by code: ServiceItem.objects.filter(code=…).first()"
    )
    print(f"worst search p95 {worst:.2f} ms — target < 30 ms: {'OK' if worst < 30 else 'MISSED'}")
    if args.drop:
        drop(vendor)
    return 0 if worst < 30 else 1


if __name__ == "__main__":
    raise SystemExit(main())
