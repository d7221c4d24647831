"""SQLite, with writers taking turns before they reach SQLite.

Writers that collide inside SQLite sleep on its busy timeout in growing steps,
which gives a multi-second tail under load. Here every transaction waits on a
thread lock and then an `flock` on a file beside the database (so several
server processes take turns too) before `BEGIN IMMEDIATE`, and lets go on
commit, rollback or close. The one place this lives: settings name this
backend as the ENGINE. In-memory databases (tests) are left alone.

Connections are also kept for reuse. Under ASGI every request runs in a thread
of its own, so Django opened (and configured, PRAGMAs and all) a new SQLite
connection for every request and closed it at the end; here a closed
connection that is not inside a transaction goes back to a small per-process
pool and the next thread takes it."""

import fcntl
import os
import threading

from django.db.backends.sqlite3 import base

_thread_lock = threading.Lock()

POOL_SIZE = 8
_idle: dict[str, list] = {}  # database file → idle connections of this process
_idle_lock = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._writer_lock_file = None
        self._writer_holds_thread_lock = False

    def _writer_lock_path(self) -> str | None:
        name = str(self.settings_dict["NAME"])
        if self.is_in_memory_db() or not name:
            return None
        return name + ".lock"

    def _writer_acquire(self) -> None:
        path = self._writer_lock_path()
        if path is None or self._writer_holds_thread_lock:
            return
        _thread_lock.acquire()
        self._writer_holds_thread_lock = True
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._writer_lock_file = fd
        except BaseException:
            self._writer_release()
            raise

    def _writer_release(self) -> None:
        fd, self._writer_lock_file = self._writer_lock_file, None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        if self._writer_holds_thread_lock:
            self._writer_holds_thread_lock = False
            _thread_lock.release()

    def get_new_connection(self, conn_params):
        if self._writer_lock_path() is not None:
            with _idle_lock:
                idle = _idle.get(str(self.settings_dict["NAME"]))
                if idle:
                    return idle.pop()
        return super().get_new_connection(conn_params)

    def _may_keep(self) -> bool:
        conn = self.connection
        return (
            conn is not None
            and self._writer_lock_path() is not None
            and not self.in_atomic_block
            and not conn.in_transaction
        )

    def _start_transaction_under_autocommit(self):
        self._writer_acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._writer_release()
            raise

    def _commit(self):
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._writer_release()

    def _rollback(self):
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._writer_release()

    def _close(self):
        try:
            if self._may_keep():
                with _idle_lock:
                    idle = _idle.setdefault(str(self.settings_dict["NAME"]), [])
                    if len(idle) < POOL_SIZE:
                        idle.append(self.connection)
                        return None
            return super()._close()  # type: ignore[misc]
        finally:
            self._writer_release()
