"""The register's database: schema versions, migrations, refusal of a newer schema, concurrent writers."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from checker.model.errors import CheckerError
from checker.workspace.register import MIGRATIONS, SCHEMA_VERSION, Register

TABLES = ["decisions", "files", "mail_messages", "mail_sendings", "mail_settings", "nominees", "receptions", "run_cycles", "run_files", "run_findings",
          "run_review", "run_units", "runs", "sqlite_sequence"]


def _tables(path) -> list[str]:
    with sqlite3.connect(path) as db:
        return sorted(r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))


def test_a_new_register_has_the_current_schema_in_wal_mode(tmp_path):
    """Opening creates the database at the current version, in WAL mode, with every table."""
    register = Register(tmp_path / "r.sqlite3")
    assert (register.version(), SCHEMA_VERSION, len(MIGRATIONS)) == (7, 7, 7)
    assert _tables(register.path) == TABLES
    with register.connect() as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000


def test_an_empty_version_0_database_is_migrated(tmp_path):
    """A database at user_version 0 (an empty file SQLite made) is brought to the current version."""
    path = tmp_path / "r.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 0")
    assert path.exists() and _tables(path) == []
    assert Register(path).version() == SCHEMA_VERSION
    assert _tables(path) == TABLES


def test_opening_twice_migrates_once(tmp_path):
    """A register opened again keeps its rows: migrations run only from the version found."""
    register = Register(tmp_path / "r.sqlite3")
    with register.transaction() as db:
        db.execute("INSERT INTO files (sha256, name, suffix, size, received_at, evidence) "
                   "VALUES ('a', 'x.xlsx', '.xlsx', 1, '2023-06-01T09:00:00+07:00', 'upload_time')")
    assert [tuple(r) for r in Register(register.path).rows("SELECT id, name FROM files")] == [(1, "x.xlsx")]


def test_a_version_1_register_gains_the_units_table_and_keeps_its_runs(tmp_path):
    """A register of version 1 (before the per-unit rows were kept) is migrated to the current
    version: run_units is added (version 2), empty, and the runs already recorded stay as they were."""
    path = tmp_path / "r.sqlite3"
    with sqlite3.connect(path) as db:
        for statement in MIGRATIONS[0]:
            db.execute(statement)
        db.execute("INSERT INTO runs (as_of, rules_sha256, output, output_sha256, counts, started_at, finished_at) "
                   "VALUES ('2023-07-25', 'r', NULL, NULL, '{}', '2023-07-25T08:00:00+07:00', "
                   "'2023-07-25T08:01:00+07:00')")
        db.execute("PRAGMA user_version = 1")
    assert "run_units" not in _tables(path)
    register = Register(path)
    assert register.version() == SCHEMA_VERSION and _tables(path) == TABLES
    assert [tuple(r) for r in register.rows("SELECT id, as_of FROM runs")] == [(1, "2023-07-25")]
    assert register.rows("SELECT * FROM run_units") == []


def test_a_newer_schema_is_refused_in_vietnamese(tmp_path):
    """A register written by a newer ntvt is refused with a CheckerError that says what to do; it is left as it was."""
    path = tmp_path / "r.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(CheckerError) as caught:
        Register(path)
    assert caught.value.message == (
        f"Không dùng được sổ nhận hồ sơ {path}: sổ được ghi bởi phiên bản ntvt mới hơn (phiên bản sổ "
        f"{SCHEMA_VERSION + 1}, phiên bản này đọc được đến {SCHEMA_VERSION}); hãy cập nhật ntvt rồi mở lại.")
    assert str(caught.value) == f"register {path}: schema version {SCHEMA_VERSION + 1} is newer than {SCHEMA_VERSION}"
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert _tables(path) == []


def test_a_file_that_is_not_a_database_is_refused_in_vietnamese(tmp_path):
    """A register file holding something else (a workbook renamed) is a CheckerError, not a crash."""
    path = tmp_path / "r.sqlite3"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 4096)
    with pytest.raises(CheckerError) as caught:
        Register(path)
    assert caught.value.message == (
        f"Không dùng được sổ nhận hồ sơ {path}: tệp không phải cơ sở dữ liệu SQLite hoặc đã hỏng; hãy chọn thư mục "
        "làm việc khác hoặc khôi phục tệp từ bản sao lưu.")


def test_a_failed_transaction_leaves_nothing(tmp_path):
    """An exception inside a transaction rolls back what it wrote."""
    register = Register(tmp_path / "r.sqlite3")
    with pytest.raises(ZeroDivisionError):
        with register.transaction() as db:
            db.execute("INSERT INTO runs (as_of, rules_sha256, counts, started_at, finished_at) "
                       "VALUES ('2023-07-25', 'x', '{}', 'a', 'b')")
            1 / 0
    assert register.rows("SELECT COUNT(*) AS n FROM runs")[0]["n"] == 0


def test_two_openers_at_once_both_succeed(tmp_path):
    """Two threads opening a new register at once: one migrates, the other waits and finds it done."""
    path, errors = tmp_path / "r.sqlite3", []

    def open_it():
        try:
            Register(path)
        except Exception as exc:  # collected, asserted below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and Register(path).version() == SCHEMA_VERSION
