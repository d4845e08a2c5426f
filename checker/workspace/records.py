"""What the register gives back (a file received, a run, a finding) and the rows a run is recorded as.

Everything recorded is a plain JSON or SQLite value: times as ISO 8601 with their UTC offset, the
unit × cycle rows as JSON objects, so the page reads a run back without pandas.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from ..model.findings import Finding

__all__ = ["FileRecord", "FindingRecord", "Received", "RunRecord", "cycle_rows", "finding_rows", "moment", "unit_rows"]


def moment(value: dt.datetime) -> str:
    """An aware time as the register keeps it: ISO 8601 with its offset."""
    if value.tzinfo is None:
        raise ValueError(f"a naive time cannot be recorded: {value!r}")
    return value.isoformat()


def _time(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Received:
    """One file received: stored and recorded, recognised as one received before, or refused."""

    file_id: int | None  # None if refused
    sha256: str
    name: str  # as received, made readable (NFC, no control characters): a name, never a path
    duplicate: bool  # the same bytes were received before: recorded again, counted once
    size: int
    received_at: dt.datetime  # the first receipt's (a duplicate keeps the first)
    evidence: str
    path: Path | None  # where the bytes are stored
    refused: str | None = None  # why the file was not stored (Vietnamese), if it was not


@dataclass(frozen=True)
class FileRecord:
    """A distinct file of the register, with what the last run made of it."""

    id: int
    name: str
    sha256: str
    size: int
    received_at: dt.datetime
    evidence: str
    receptions: int  # how many times these bytes arrived
    unit: str | None = None
    cycle: str | None = None
    status: str | None = None  # a code of model.words.STATUS_WORDS, or None before any run

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> "FileRecord":
        return cls(r["id"], r["name"], r["sha256"], r["size"], dt.datetime.fromisoformat(r["received_at"]),
                   r["evidence"], r["receptions"], r["unit"], r["cycle"], r["status"])


@dataclass(frozen=True)
class RunRecord:
    """A consolidation run as recorded."""

    id: int
    as_of: dt.date
    rules_sha256: str
    output: str | None  # relative to the workspace, "/"-separated
    output_sha256: str | None
    counts: dict[str, int]
    started_at: dt.datetime
    finished_at: dt.datetime
    cycles: list[dict]  # one per official unit × cycle: the status table's columns, plain JSON values
    # One per official unit: its summary report's row (status, receipt, evidence); empty for a run
    # recorded before the register kept them (schema version 1).
    units: list[dict] = field(default_factory=list)

    @classmethod
    def from_row(cls, r: sqlite3.Row, cycles: list[dict], units: list[dict] | None = None) -> "RunRecord":
        return cls(r["id"], dt.date.fromisoformat(r["as_of"]), r["rules_sha256"], r["output"], r["output_sha256"],
                   json.loads(r["counts"]), _time(r["started_at"]), _time(r["finished_at"]), cycles, units or [])


@dataclass(frozen=True)
class FindingRecord:
    """One finding of a run; unit and cycle are the finding's own, or its file's."""

    file: str | None
    sheet: str | None
    cell: str | None
    rule_id: str
    severity: str  # a model.findings.Severity value
    message: str  # Vietnamese, with the clause it rests on
    unit: str | None
    cycle: str | None

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> "FindingRecord":
        return cls(r["file"], r["sheet"], r["cell"], r["rule_id"], r["severity"], r["message"], r["unit"], r["cycle"])


def plain(value: Any) -> Any:
    """A value of a status table as plain JSON: times as ISO text, numpy numbers as numbers, NaN as None."""
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def cycle_rows(cycles: pd.DataFrame) -> list[tuple]:
    """(position, unit, cycle, status code, the row as JSON) for each row of the unit × cycle table."""
    rows = []
    for position, row in enumerate(cycles.to_dict("records")):
        row = {key: plain(value) for key, value in row.items()}
        rows.append((position, row["unit"], row["cycle"], row["status_code"], json.dumps(row, ensure_ascii=False)))
    return rows


def unit_rows(units: pd.DataFrame) -> list[tuple]:
    """(position, unit, status code, the row as JSON) for each row of the per-unit (summary report) table."""
    rows = []
    for position, row in enumerate(units.to_dict("records")):
        row = {key: plain(value) for key, value in row.items()}
        rows.append((position, row["unit"], row["status_code"], json.dumps(row, ensure_ascii=False)))
    return rows


def finding_rows(findings: Iterable[Finding], decided: dict) -> list[tuple]:
    """(position, file, sheet, cell, rule id, severity, message, unit, cycle) for each finding; a file's
    finding takes the unit and cycle its file was decided to be for."""
    rows = []
    for position, f in enumerate(findings):
        d = decided.get(f.file)
        unit = f.unit or (d.unit_id if d else None)
        cycle = f.cycle or (d.period if d else None)
        rows.append((position, f.file, f.sheet, f.cell, f.rule_id, f.severity.value, f.message, unit, cycle))
    return rows
