"""Backup and restore of everything the system keeps: the database and the
uploaded files. One backup is one folder:

    govhall-20261130-020000/
        database.sqlite3   (SQLite: the online backup API — consistent while serving)
      or database.dump     (PostgreSQL: pg_dump custom format)
        media.tar.gz       (uploaded materials, blank forms, samples)
        manifest.json      (when, which database, every table's row count and digest)

Restore puts the database and files back and then checks every table against
the manifest; a mismatch is an error, not a warning."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .errors import DomainError


def table_digests() -> dict[str, dict[str, Any]]:
    """Every table's row count and a digest of its rows (ordered by every column)."""
    out: dict[str, dict[str, Any]] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)} ORDER BY {quoted}")  # noqa: S608 - names from introspection
            digest = hashlib.sha256()
            count = 0
            for row in cursor.fetchall():
                digest.update(repr(tuple(_comparable(v) for v in row)).encode())
                count += 1
            out[table] = {"rows": count, "sha256": digest.hexdigest()}
    return out


def _comparable(value: Any) -> Any:
    """Values as both databases give them back after a round trip."""
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _pg_env() -> tuple[dict[str, str], list[str]]:
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["-h", str(db.get("HOST") or "127.0.0.1"), "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return env, args


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DomainError(f"找不到 {name}：请安装 PostgreSQL 客户端（postgresql-client）。")
    return found


def backup_create(*, to: Path) -> Path:
    """Write one backup folder under `to` and return it."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    folder = Path(to) / f"govhall-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    vendor = connection.vendor
    if vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(folder / "database.sqlite3")
        with target:
            connection.connection.backup(target)
        target.close()
    elif vendor == "postgresql":
        env, args = _pg_env()
        subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [
                _program("pg_dump"),
                "-Fc",
                "--no-owner",
                *args,
                "-f",
                str(folder / "database.dump"),
                connection.settings_dict["NAME"],
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    else:  # pragma: no cover - the two databases we run on
        raise DomainError(f"不支持备份 {vendor} 数据库。")
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / "media.tar.gz", "w:gz") as tar:
        if media.exists():
            tar.add(media, arcname="media")
    manifest = {
        "created_at": timezone.localtime().isoformat(),
        "database": vendor,
        "tables": table_digests(),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return folder


def backup_restore(*, folder: Path) -> dict[str, Any]:
    """Put the backup in `folder` back (database and files) and check every table."""
    folder = Path(folder)
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise DomainError(f"{folder} 不是一个备份目录（没有 manifest.json）。", field="folder")
    manifest = json.loads(manifest_path.read_text())
    vendor = connection.vendor
    if manifest["database"] != vendor:
        raise DomainError(f"该备份来自 {manifest['database']} 数据库，当前是 {vendor}。", field="folder")
    if vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(folder / "database.sqlite3")
        with source:
            source.backup(connection.connection)
        source.close()
    else:
        connection.close()
        env, args = _pg_env()
        subprocess.run(  # noqa: S603
            [
                _program("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                "-d",
                connection.settings_dict["NAME"],
                str(folder / "database.dump"),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
    media = Path(settings.MEDIA_ROOT)
    archive = folder / "media.tar.gz"
    if archive.exists():
        if media.exists():
            shutil.rmtree(media)
        media.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            tar.extractall(media.parent, filter="data")
    found = table_digests()
    wrong = sorted(t for t, d in manifest["tables"].items() if found.get(t) != d)
    if wrong:
        raise DomainError(f"恢复后与备份不一致的表：{'、'.join(wrong)}", code="restore_mismatch")
    return manifest
