"""The register ("sổ nhận hồ sơ"): a SQLite database of every file received and every consolidation run.

The schema is versioned in `PRAGMA user_version`, the migrations are code (MIGRATIONS[n] brings
version n to n + 1), and a database written by a newer ntvt is refused, never downgraded. The
database runs in WAL mode with a busy timeout, and every call opens its own connection: requests
of a web page arrive on several threads at once, and a sqlite3 connection belongs to one thread.
Write transactions start with BEGIN IMMEDIATE, so two writers queue on the busy timeout instead of
failing halfway with "database is locked".
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path
from typing import Iterator

from ..model.errors import CheckerError

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Register"]

BUSY_MS = 30_000  # a consolidation run records thousands of findings in one transaction

# Each entry: the statements that bring the schema from version n (its index) to n + 1.
MIGRATIONS: list[tuple[str, ...]] = [
    (
        # One row per distinct content (SHA-256), in the order first received (id).
        """CREATE TABLE files (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            sha256 TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            suffix TEXT NOT NULL,
            size INTEGER NOT NULL,
            received_at TEXT NOT NULL,
            evidence TEXT NOT NULL)""",
        # Every arrival, duplicates included: "received twice" is visible, counted once.
        """CREATE TABLE receptions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            file_id INTEGER NOT NULL REFERENCES files(id),
            name TEXT NOT NULL,
            received_at TEXT NOT NULL,
            evidence TEXT NOT NULL)""",
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            as_of TEXT NOT NULL,
            rules_sha256 TEXT NOT NULL,
            output TEXT,
            output_sha256 TEXT,
            counts TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT NOT NULL)""",
        """CREATE TABLE run_cycles (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            position INTEGER NOT NULL,
            unit TEXT NOT NULL,
            cycle TEXT NOT NULL,
            status_code TEXT NOT NULL,
            row TEXT NOT NULL,
            PRIMARY KEY (run_id, position))""",
        """CREATE TABLE run_findings (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            position INTEGER NOT NULL,
            file TEXT,
            sheet TEXT,
            cell TEXT,
            rule_id TEXT NOT NULL,
            severity TEXT NOT NULL,
            message TEXT NOT NULL,
            unit TEXT,
            cycle TEXT,
            PRIMARY KEY (run_id, position))""",
        "CREATE INDEX run_findings_unit ON run_findings (run_id, unit, cycle)",
        """CREATE TABLE run_files (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            file_id INTEGER NOT NULL REFERENCES files(id),
            name TEXT NOT NULL,
            unit TEXT,
            cycle TEXT,
            status TEXT NOT NULL,
            PRIMARY KEY (run_id, name))""",
    ),
    (
        # Version 2: each run's per-unit rows (the summary report's status), as run_cycles keeps the cycles'.
        """CREATE TABLE run_units (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            position INTEGER NOT NULL,
            unit TEXT NOT NULL,
            status_code TEXT NOT NULL,
            row TEXT NOT NULL,
            PRIMARY KEY (run_id, position))""",
    ),
    (
        # Reply drafts sent by `ntvt send`: each draft (by content) once per recipient, with the server's reply.
        """CREATE TABLE mail_sendings (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            draft_sha256 TEXT NOT NULL,
            recipient TEXT NOT NULL,
            subject TEXT NOT NULL,
            message_id TEXT NOT NULL,
            sent_at TEXT NOT NULL,
            server_reply TEXT NOT NULL,
            UNIQUE (draft_sha256, recipient))""",
    ),
    (
        # Every message looked at in a mailbox (`ntvt fetch`), saved or not: a second fetch skips it.
        """CREATE TABLE mail_messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            account TEXT NOT NULL,
            folder TEXT NOT NULL,
            uidvalidity INTEGER NOT NULL,
            uid INTEGER NOT NULL,
            message_id TEXT,
            internaldate TEXT NOT NULL,
            date_header TEXT,
            sha256 TEXT NOT NULL,
            saved_name TEXT,
            verdict TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            UNIQUE (account, folder, uidvalidity, uid))""",
        "CREATE INDEX mail_messages_message_id ON mail_messages (message_id)",
    ),
    (
        # The web page's mailbox settings (IMAP and SMTP host, port, user, folder, From): never a password.
        "CREATE TABLE mail_settings (key TEXT PRIMARY KEY, value TEXT)",
    ),
    (
        # Every nominee in force of every plan (year), as the last run of that plan left them: a person put
        # forward again under a later plan is found here. person_key is decide.rows' key (name with its
        # diacritics, case and spacing not counted, then the birth year). decision and decision_reason are
        # the council's (empty until it decides); a later run of the plan keeps them for a nominee still there.
        """CREATE TABLE nominees (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            plan_id TEXT NOT NULL,
            plan_number TEXT NOT NULL,
            plan_year INTEGER,
            unit TEXT NOT NULL,
            unit_name TEXT NOT NULL,
            name TEXT NOT NULL,
            person_key TEXT NOT NULL,
            birth_year TEXT,
            cycle TEXT NOT NULL,
            level TEXT,
            file TEXT NOT NULL,
            sheet TEXT NOT NULL,
            row INTEGER NOT NULL,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            decision TEXT,
            decision_reason TEXT,
            UNIQUE (plan_id, person_key, unit, cycle))""",
        "CREATE INDEX nominees_person ON nominees (person_key)",
    ),
    (
        # Version 7: the council's current decision per plan, unit and person (workspace/decisions), keyed
        # as decide/review.person keys a nominee, so it survives corrections and later runs; origin: the
        # web page's form ("") or the workbook imported (its name, and the decision's cell there).
        """CREATE TABLE decisions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            plan_id TEXT NOT NULL,
            unit_key TEXT NOT NULL,
            name_key TEXT NOT NULL,
            birth_key TEXT NOT NULL,
            unit TEXT NOT NULL,
            nominee TEXT NOT NULL,
            birth_year TEXT NOT NULL,
            decision TEXT NOT NULL,
            reason TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            origin TEXT NOT NULL,
            origin_row INTEGER NOT NULL,
            origin_col INTEGER NOT NULL,
            UNIQUE (plan_id, unit_key, name_key, birth_key))""",
        # The last run's review rows (decide/review.review_rows): what the web page's "Xét duyệt" lists.
        """CREATE TABLE run_review (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            position INTEGER NOT NULL,
            row TEXT NOT NULL,
            PRIMARY KEY (run_id, position))""",
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)


def _unusable(path: Path, detail: str, problem: str) -> CheckerError:
    return CheckerError(f"register {path}: {detail}",
                        message=f"Không dùng được sổ nhận hồ sơ {path}: {problem}.")


class Register:
    """The register's database at `path`: created and migrated on open, one connection per call."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self._open()
        except sqlite3.DatabaseError as exc:  # not a database, or a damaged one
            raise _unusable(self.path, f"{type(exc).__name__}: {exc}",
                            "tệp không phải cơ sở dữ liệu SQLite hoặc đã hỏng; hãy chọn thư mục làm việc khác "
                            "hoặc khôi phục tệp từ bản sao lưu") from None

    def _open(self) -> None:
        """Switch to WAL and migrate. With several openers of a new register at once SQLite may answer
        "database is locked" at once, without waiting on its busy handler (the WAL switch can; seen in
        CI with four threads opening one new register), so that answer is retried within the busy timeout."""
        deadline = time.monotonic() + BUSY_MS / 1000
        while True:
            try:
                with self.connect() as db:
                    db.execute("PRAGMA journal_mode=WAL")
                    self._migrate(db)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A new connection for this call (autocommit; transactions are explicit), closed after."""
        db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout={BUSY_MS}")
            db.execute("PRAGMA foreign_keys=ON")
            yield db
        finally:
            db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken at once (BEGIN IMMEDIATE): committed on success, else rolled back."""
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _migrate(self, db: sqlite3.Connection) -> None:
        db.execute("BEGIN IMMEDIATE")  # two processes opening a new workspace: one migrates, one waits
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise _unusable(self.path, f"schema version {version} is newer than {SCHEMA_VERSION}",
                                f"sổ được ghi bởi phiên bản ntvt mới hơn (phiên bản sổ {version}, phiên bản này "
                                f"đọc được đến {SCHEMA_VERSION}); hãy cập nhật ntvt rồi mở lại")
            for step in MIGRATIONS[version:]:
                for statement in step:
                    db.execute(statement)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def version(self) -> int:
        with self.connect() as db:
            return db.execute("PRAGMA user_version").fetchone()[0]

    def rows(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        """The rows of one query, read on a connection of its own."""
        with self.connect() as db:
            db.row_factory = sqlite3.Row
            return db.execute(sql, params).fetchall()
