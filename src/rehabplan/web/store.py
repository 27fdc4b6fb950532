"""Plans kept by the web page: one SQLite file in the data folder.

A plan is found by the SHA-256 of its private link's token, so the file never holds a working
link. Each plan keeps the files of its latest revision (served as stored, never re-rendered on a
fetch) and its check-ins. The schema carries a version (``PRAGMA user_version``) and every
upgrade is a step in ``_MIGRATIONS``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import RehabplanError
from ..planning.checkins import CheckIn

DB_NAME = "rehabplan.sqlite3"
TOKEN_BYTES = 24  # 192 bits from the operating system's random source

_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: plans with their latest files, and their check-ins
    (
        """CREATE TABLE plans (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            created TEXT NOT NULL,
            revision INTEGER NOT NULL,
            stem TEXT NOT NULL,
            booklet BLOB NOT NULL,
            summary BLOB NOT NULL,
            calendar BLOB NOT NULL,
            plan_json BLOB NOT NULL,
            changes TEXT NOT NULL DEFAULT '[]'
        )""",
        """CREATE TABLE checkins (
            id INTEGER PRIMARY KEY,
            plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
            day TEXT NOT NULL,
            entry TEXT NOT NULL
        )""",
        "CREATE INDEX checkins_by_plan ON checkins(plan_id, day)",
    ),
)
SCHEMA_VERSION = len(_MIGRATIONS)


@dataclass(frozen=True)
class Files:
    """A revision's files, as served."""

    stem: str
    booklet: bytes
    summary: bytes
    calendar: bytes
    plan_json: bytes


@dataclass(frozen=True)
class Stored:
    """A plan as kept: its files, its revision number and what the last revision changed."""

    id: int
    revision: int
    files: Files
    changes: tuple[str, ...]


def new_token() -> str:
    """A private link's token: unguessable, URL-safe."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Store:
    """The plans of one site, in ``data_dir/rehabplan.sqlite3``."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path = data_dir / DB_NAME
        if not self.path.exists():  # names and pain scores: for this user only (SQLite's -wal file follows)
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA journal_mode = WAL")
        self.migrate()

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Bring the file up to this version's schema, one step at a time."""
        found = self.version()
        if found > SCHEMA_VERSION:
            raise RehabplanError(
                f"{str(self.path)!r} was written by a newer rehabplan (schema {found}); upgrade rehabplan to serve it."
            )
        for number in range(found, SCHEMA_VERSION):
            with self._tx() as db:
                for statement in _MIGRATIONS[number]:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number + 1}")

    def add(self, files: Files, revision: int) -> str:
        """Keep a new plan; return its private token."""
        token = new_token()
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._tx() as db:
            db.execute(
                "INSERT INTO plans (token_hash, created, revision, stem, booklet, summary, calendar, plan_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (_hash(token), now, revision, *_columns(files)),
            )
        return token

    def get(self, token: str) -> Stored | None:
        row = self._db.execute(
            "SELECT id, revision, stem, booklet, summary, calendar, plan_json, changes FROM plans WHERE token_hash = ?",
            (_hash(token),),
        ).fetchone()
        if row is None:
            return None
        pid, revision, stem, booklet, summary, calendar, plan_json, changes = row
        return Stored(pid, revision, Files(stem, booklet, summary, calendar, plan_json), tuple(json.loads(changes)))

    def file(self, token: str, column: str) -> tuple[str, bytes] | None:
        """One stored file of a plan (column: booklet, summary, calendar or plan_json) with its stem."""
        assert column in ("booklet", "summary", "calendar", "plan_json")
        row = self._db.execute(f"SELECT stem, {column} FROM plans WHERE token_hash = ?", (_hash(token),)).fetchone()
        return None if row is None else (row[0], row[1])

    def checkins(self, plan_id: int) -> list[CheckIn]:
        rows = self._db.execute("SELECT entry FROM checkins WHERE plan_id = ? ORDER BY id", (plan_id,)).fetchall()
        return [CheckIn.model_validate_json(r[0]) for r in rows]

    def update(self, plan_id: int, files: Files, revision: int, changes: tuple[str, ...], checkin: CheckIn) -> None:
        """Record a check-in and the revision it led to, together."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO checkins (plan_id, day, entry) VALUES (?, ?, ?)",
                (plan_id, checkin.date.isoformat(), checkin.model_dump_json()),
            )
            db.execute(
                "UPDATE plans SET revision = ?, stem = ?, booklet = ?, summary = ?, calendar = ?, plan_json = ?,"
                " changes = ? WHERE id = ?",
                (revision, *_columns(files), json.dumps(list(changes)), plan_id),
            )

    def delete(self, token: str) -> bool:
        """Remove a plan and its check-ins for good; False if there was none."""
        with self._tx() as db:
            cur = db.execute("DELETE FROM plans WHERE token_hash = ?", (_hash(token),))
        if cur.rowcount:
            with self._lock:
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return bool(cur.rowcount)


def _columns(files: Files) -> tuple[str, bytes, bytes, bytes, bytes]:
    return files.stem, files.booklet, files.summary, files.calendar, files.plan_json
