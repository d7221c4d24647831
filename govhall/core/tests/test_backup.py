"""Backup and restore: a round trip gives back every table, row for row, and the
uploaded files — on SQLite (online backup API) and PostgreSQL (pg_dump)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from govhall.accounts.models import User
from govhall.centers.models import Center
from govhall.core.backup import backup_create, backup_restore, table_digests
from govhall.core.errors import DomainError

pytestmark = pytest.mark.django_db(transaction=True)


def test_round_trip_restores_every_table_and_the_files(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "cases").mkdir(parents=True)
    (settings.MEDIA_ROOT / "cases" / "材料.pdf").write_bytes(b"%PDF-1.4 test")
    before = table_digests()
    assert before["centers_center"]["rows"] >= 3

    folder = backup_create(to=tmp_path / "backups")
    assert {p.name for p in folder.iterdir()} >= {"manifest.json", "media.tar.gz"}

    # Things go wrong after the backup: rows lost, rows added, a file deleted.
    Center.objects.filter(pk=world["b"].pk).update(address="被误改")
    User.objects.create(username="after-backup")
    (settings.MEDIA_ROOT / "cases" / "材料.pdf").unlink()
    assert table_digests() != before

    backup_restore(folder=folder)
    assert table_digests() == before
    assert (settings.MEDIA_ROOT / "cases" / "材料.pdf").read_bytes() == b"%PDF-1.4 test"
    assert not User.objects.filter(username="after-backup").exists()


def test_restore_refuses_a_folder_that_is_not_a_backup_and_needs_yes(tmp_path, db):
    with pytest.raises(DomainError, match="不是一个备份目录"):
        backup_restore(folder=tmp_path)
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path))


def test_the_backup_command_writes_a_folder(tmp_path, settings, db):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("backup", "--to", str(tmp_path / "b"))
    (made,) = (tmp_path / "b").iterdir()
    assert (made / ("database.sqlite3" if connection.vendor == "sqlite" else "database.dump")).exists()
