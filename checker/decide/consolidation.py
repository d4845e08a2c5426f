"""The monthly consolidation of a validated inbox: the files of record (decide.record), the rows in
force (decide.rows), the statuses per unit and cycle as of a date (decide.statuses) and the campaign
findings (decide.campaign), with the accounts of every file and row read. Writing the workbook is
the writers' (checker.api)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..model.findings import Finding, Severity, ordered
from ..model.words import GENERATED, LATER, OWN_RECORD, REJECTED, STATUS_WORDS
from ..read.inbox import Inbox
from ..read.tables import NOT_DATA
from ..ruleset.spec import RuleSet
from ..validate.pipeline import Validation, findings_without
from .campaign import campaign_findings
from .clocks import clock_findings
from .deadlines import as_of_note
from .record import FileDecision, decide_files, receipt_order, replaced_files
from .rows import RowStates, row_states
from .statuses import status_tables

__all__ = ["Consolidation", "FileDecision", "decide"]


@dataclass
class Consolidation:
    rules: RuleSet
    as_of: dt.date
    inbox: Inbox
    validation: Validation
    decisions: list[FileDecision]
    rows: dict[str, RowStates]  # table sheet key -> which rows are in force
    cycles: pd.DataFrame  # official unit × cycle
    units: pd.DataFrame  # one row per official unit
    findings: list[Finding] = field(default_factory=list)  # every finding, input and campaign
    output: Path | None = None
    feedback: list[Path] = field(default_factory=list)  # files written for units
    # A warning line about the day of reckoning itself (outside the plan's time), or None.
    as_of_note: str | None = None
    # Data rows the output writer wrote to each data sheet (sheet key -> rows), counted as it wrote
    # them; None until the consolidated workbook is written.
    written: dict[str, int] | None = None
    # The council's decisions read back (decide/review.Review; `ntvt consolidate --decisions`), or None.
    review: Any = None

    def row_accounts(self) -> dict[str, dict[str, int]]:
        """Per table sheet (key): rows holding anything under the header, counted by the reader apart
        from its row selection ("seen"); data rows it took ("data"); the other rows by kind (NOT_DATA);
        rows in the validated frames ("frames"); and, once the output is written, rows written
        ("written"). The books' counts are independent of the writer's."""
        accounts = {}
        for spec in self.rules.sheets:
            if spec.kind != "table":
                continue
            tables = [b.tables[spec.key] for b in self.validation.books if spec.key in b.tables]
            frame = self.validation.frames.tables.get(spec.key)
            row = {"seen": sum(t.seen for t in tables), "data": sum(len(t.rows) for t in tables)}
            row.update({kind: sum(len(t.not_data.get(kind, ())) for t in tables) for kind in NOT_DATA})
            row["frames"] = 0 if frame is None else len(frame)
            if self.written is not None:
                row["written"] = self.written.get(spec.key, 0)
            accounts[spec.key] = row
        return accounts

    @property
    def counts(self) -> dict[str, int]:
        """The reconciliation the overview states: every file and every row read is accounted for.

        rows_seen (the reader's own count of non-blank rows under the tables' headers) = rows_in
        (data rows) + rows_not_data_* (rows that are not data, by kind); rows_out (rows in the
        validated frames) = rows_in; rows_written (only once the output is written: rows the
        writer streamed into the data sheets) = rows_in.
        """
        statuses = [d.status for d in self.decisions]
        accounts = self.row_accounts().values()
        rows_in = sum(a["data"] for a in accounts)
        rows_out = sum(a["frames"] for a in accounts)
        # Entries that are no report: rejected ones, reply drafts ntvt wrote (an email marked GENERATED)
        # and ntvt's own records (the fetch and send registers, the receipt log fetch wrote).
        not_submissions = sum(1 for f in self.inbox.files
                              if f.kind != "spreadsheet" and f.status in (REJECTED, GENERATED, OWN_RECORD))
        rows = {"rows_seen": sum(a["seen"] for a in accounts), "rows_in": rows_in,
                **{f"rows_not_data_{kind}": sum(a[kind] for a in accounts) for kind in NOT_DATA},
                "rows_out": rows_out}
        if self.written is not None:
            rows["rows_written"] = sum(self.written.values())
        return {
            "inbox_files": len(self.inbox.files),
            "emails": sum(f.kind == "email" for f in self.inbox.files),
            "submissions": len(self.decisions),
            # One count per file status (model.words.STATUS_WORDS): together they are the submissions.
            **{status: statuses.count(status) for status in STATUS_WORDS},
            "not_submissions": not_submissions,
            **rows,
            **{f"findings_{s.value}": sum(f.severity is s for f in self.findings) for s in Severity},
        }


def decide(gathered: Inbox, validation: Validation, rules: RuleSet, as_of: dt.date) -> Consolidation:
    """The consolidation of a validated inbox as of the end of `as_of`: files of record, rows in
    force, statuses per unit and cycle, and the campaign findings. The findings of files received
    after `as_of` are left out: those files are listed, not counted."""
    decisions = decide_files(validation, gathered, rules, as_of)
    order = receipt_order(decisions, validation, gathered)
    rows = row_states(rules, validation, decisions, order)
    replaced_files(decisions, validation, rows, order)
    cycles, units = status_tables(rules, validation, decisions, rows, as_of)
    found = campaign_findings(rules, as_of, validation, decisions, rows, cycles, units)
    found += clock_findings(rules, gathered, decisions, [b.name for b in validation.books])
    kept = findings_without(validation, {d.index for d in decisions if d.status == LATER})
    return Consolidation(rules, as_of, gathered, validation, decisions, rows, cycles, units,
                         ordered(kept + found), as_of_note=as_of_note(as_of, rules.plan))
