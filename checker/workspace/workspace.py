"""A workspace: the office's folder of received files (`ho_so/`), outputs (`ket_qua/`) and register.

Receiving stores a file by content and records it; gathering turns the stored files into the inbox
a consolidation reads; recording keeps what a run decided (statuses per unit and cycle, findings,
each file's unit, cycle and status) so that they can be shown again after a restart. The caller
gives every time (received_at, run_at): nothing here reads the clock.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

from ..decide.consolidation import Consolidation
from ..decide.nominees import nominees
from ..decide.review import review_rows
from ..model.words import EVIDENCE_UPLOAD, REJECTED
from ..read.inbox import EMAILS, Inbox, StoredFile, gather_stored
from ..read.names import shown_text
from ..read.safety import size_verdict
from ..ruleset.spec import RuleSet
from ..write.files import SCRATCH_MARK
from .records import FileRecord, FindingRecord, Received, RunRecord, cycle_rows, finding_rows, moment, unit_rows
from .decisions import Decisions, record_review_rows
from .messages import Messages
from .nominees import Nominees, record_decisions, record_nominees
from .register import Register
from .sendings import Sendings
from .store import Store, stored_suffix

__all__ = ["FileRecord", "FindingRecord", "Received", "RunRecord", "Workspace"]

INBOX, OUTPUTS, REGISTER = "ho_so", "ket_qua", "register.sqlite3"
EMAIL_FACTOR = 4  # an email may be this many times a workbook's limit (base64 and several attachments), as gather reads it


class Workspace:
    """The folder `root` with its stored files, outputs and register."""

    def __init__(self, root: Path, rules: RuleSet, register: Register):
        self.root, self.rules, self.register = Path(root), rules, register
        self.store = Store(self.root / INBOX)
        self.outputs_folder = self.root / OUTPUTS

    @classmethod
    def open(cls, root: Path, rules: RuleSet) -> "Workspace":
        """Open the workspace at root, creating its folders and register if they are not there."""
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        register = Register(root / REGISTER)  # first: a register that cannot be used leaves the folder as it was
        for folder in (root / INBOX, root / OUTPUTS):
            folder.mkdir(exist_ok=True)
        return cls(root, rules, register)

    # Receiving

    def limit(self, name: str) -> int:
        """The most bytes a file of this name may have: the reader's own limit."""
        factor = EMAIL_FACTOR if stored_suffix(name) in EMAILS else 1
        return self.rules.limits.max_file_bytes * factor

    def receive(self, name: str, data: bytes, *, received_at: dt.datetime,
                evidence: str = EVIDENCE_UPLOAD) -> Received:
        """Store and record one file. The same bytes received again are recorded as a reception of
        the file already there (duplicate=True; its first receipt time is kept). A file over the
        reader's limit, or empty, is refused: not stored, `refused` says why."""
        if received_at.tzinfo is None:
            raise ValueError("received_at must be aware")
        shown = shown_text(name) or "(không tên)"
        verdict = size_verdict(len(data), replace(self.rules.limits, max_file_bytes=self.limit(shown)))
        if verdict is not None:
            return Received(None, "", shown, False, len(data), received_at, evidence, None, refused=verdict.reason)
        suffix = stored_suffix(shown)
        digest, path = self.store.put(data, suffix)
        at = moment(received_at)
        with self.register.transaction() as db:
            cursor = db.execute("INSERT OR IGNORE INTO files (sha256, name, suffix, size, received_at, evidence) "
                                "VALUES (?, ?, ?, ?, ?, ?)", (digest, shown, suffix, len(data), at, evidence))
            duplicate = cursor.rowcount == 0
            file_id, first_at, first_evidence, first_suffix = db.execute(
                "SELECT id, received_at, evidence, suffix FROM files WHERE sha256 = ?", (digest,)).fetchone()
            db.execute("INSERT INTO receptions (file_id, name, received_at, evidence) VALUES (?, ?, ?, ?)",
                       (file_id, shown, at, evidence))
        return Received(file_id, digest, shown, duplicate, len(data), dt.datetime.fromisoformat(first_at),
                        first_evidence, self.store.path(digest, first_suffix))

    # Reading the register

    def files(self) -> list[FileRecord]:
        """Every distinct file received, in the order first received, with its unit, cycle and status
        in the last run (None before any run, or for a file received since)."""
        last = self.last_run()
        rows = self.register.rows(
            "SELECT f.*, (SELECT COUNT(*) FROM receptions r WHERE r.file_id = f.id) AS receptions, "
            "rf.unit, rf.cycle, rf.status FROM files f LEFT JOIN run_files rf ON rf.rowid = "
            "(SELECT MIN(rowid) FROM run_files WHERE run_id = ? AND file_id = f.id) ORDER BY f.id",
            (last.id if last else -1,))
        return [FileRecord.from_row(r) for r in rows]

    def runs(self) -> list[RunRecord]:
        """Every consolidation run, oldest first (their cycles are read by last_run)."""
        return [RunRecord.from_row(r, []) for r in self.register.rows("SELECT * FROM runs ORDER BY id")]

    def last_run(self) -> RunRecord | None:
        """The latest run with its unit × cycle rows and its per-unit (summary report) rows, or None."""
        rows = self.register.rows("SELECT * FROM runs ORDER BY id DESC LIMIT 1")
        if not rows:
            return None
        cycles = self.register.rows("SELECT row FROM run_cycles WHERE run_id = ? ORDER BY position", (rows[0]["id"],))
        units = self.register.rows("SELECT row FROM run_units WHERE run_id = ? ORDER BY position", (rows[0]["id"],))
        return RunRecord.from_row(rows[0], [json.loads(r["row"]) for r in cycles],
                                  [json.loads(r["row"]) for r in units])

    def findings(self, run_id: int, *, unit: str | None = None, cycle: str | None = None, rule: str | None = None,
                 severity: str | None = None) -> list[FindingRecord]:
        """The findings of a run, in the run's order, filtered by what is given."""
        where, params = ["run_id = ?"], [run_id]
        for column, value in (("unit", unit), ("cycle", cycle), ("rule_id", rule), ("severity", severity)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        rows = self.register.rows(f"SELECT * FROM run_findings WHERE {' AND '.join(where)} ORDER BY position",
                                  tuple(params))
        return [FindingRecord.from_row(r) for r in rows]

    def outputs(self) -> list[Path]:
        """The regular files under ket_qua/ (no link, no scratch file of a write in progress), sorted."""
        found = []
        for path in sorted(self.outputs_folder.rglob("*")):
            inside = path.relative_to(self.outputs_folder).parts
            if any(SCRATCH_MARK in part or part.startswith(".") for part in inside):
                continue
            if path.is_file() and not any(p.is_symlink() for p in [path, *path.parents][:len(inside)]):
                found.append(path)
        return found

    def sendings(self) -> Sendings:
        """The reply drafts sent from this workspace (`ntvt send --workspace`), in its register."""
        return Sendings(self.register)

    def nominees(self) -> Nominees:
        """The nominees in force of every plan consolidated in this workspace, in its register."""
        return Nominees(self.register)

    def decisions(self) -> Decisions:
        """The council's decisions kept for this workspace (the web page's "Xét duyệt", imported workbooks)."""
        return Decisions(self.register)

    def messages(self) -> Messages:
        """The mailbox messages fetched for this workspace (`ntvt fetch --workspace`), in its register."""
        return Messages(self.register)

    # Consolidating

    def gather(self, rules: RuleSet | None = None) -> Inbox:
        """The stored files as the inbox, in the order first received, under the names received with."""
        rows = self.register.rows("SELECT * FROM files ORDER BY id")
        return gather_stored([StoredFile(self.store.path(r["sha256"], r["suffix"]), r["name"],
                                         dt.datetime.fromisoformat(r["received_at"]), r["evidence"]) for r in rows],
                             rules or self.rules)

    def record_run(self, result: Consolidation, *, run_at: dt.datetime, seconds: float,
                   output_sha256: str | None) -> RunRecord:
        """Record a run: its counts, unit × cycle rows, per-unit rows, findings and what it made of each file."""
        output = None
        if result.output is not None:  # relative to the workspace if inside it (it moves with it)
            target, root = result.output.resolve(), self.root.resolve()
            output = (target.relative_to(root) if root in target.parents else target).as_posix()
        finished = run_at + dt.timedelta(seconds=round(seconds, 3))
        ids = {r["sha256"]: r["id"] for r in self.register.rows("SELECT id, sha256 FROM files")}
        decided = {result.validation.books[d.index].name: d for d in result.decisions}
        with self.register.transaction() as db:
            run_id = db.execute(
                "INSERT INTO runs (as_of, rules_sha256, output, output_sha256, counts, started_at, finished_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (result.as_of.isoformat(), result.rules.sha256, output, output_sha256, json.dumps(result.counts),
                 moment(run_at), moment(finished))).lastrowid
            db.executemany("INSERT INTO run_cycles VALUES (?, ?, ?, ?, ?, ?)",
                           [(run_id, *row) for row in cycle_rows(result.cycles)])
            db.executemany("INSERT INTO run_units VALUES (?, ?, ?, ?, ?)",
                           [(run_id, *row) for row in unit_rows(result.units)])
            db.executemany("INSERT INTO run_findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [(run_id, *row) for row in finding_rows(result.findings, decided)])
            db.executemany("INSERT INTO run_files VALUES (?, ?, ?, ?, ?, ?)",
                           [(run_id, *row) for row in _file_rows(result.inbox, ids, decided)])
            record_nominees(db, run_id, result.rules.plan.id, nominees(result))
            reviewed = review_rows(result)
            record_review_rows(db, run_id, reviewed)
            if result.rules.review is not None:
                record_decisions(db, result.rules.plan.id, reviewed, {u.name: u.id for u in result.rules.units},
                                 result.rules.review.pending)
        return self.last_run()


def _file_rows(inbox: Inbox, ids: dict[str, int], decided: dict) -> list[tuple]:
    """(file id, name, unit, cycle, status) for every submission of a stored file, or for the file
    itself where it gave none (a rejected file, an email without a workbook)."""
    rows = []
    for entry in inbox.files:
        if entry.sha256 not in ids:
            continue
        names = [entry.name] if entry.kind == "spreadsheet" else entry.attachments
        for name in names:
            d = decided[name]
            rows.append((ids[entry.sha256], name, d.unit_id, d.period, d.status))
        if not names:
            rows.append((ids[entry.sha256], entry.name, None, None, entry.status or REJECTED))
    return rows
