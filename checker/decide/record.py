"""Files of record: what each submission is (whose report, which cycle, received when), whether it
counts as of the day of the run, and in which order a unit's files for one report were received.

A cycle's monthly files all count: their rows accumulate (decide.rows), and a monthly file is
superseded only once every row of it has been replaced by a later one. A summary report is one
document: the latest receipt is the content of record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..model.words import EVIDENCE_SENT, GENERATED, GENERATED_REASON, LATER, REJECTED, SUPERSEDED, USED
from ..read.inbox import Inbox
from ..ruleset.spec import RuleSet
from ..validate.frames import form_text
from ..validate.pipeline import Validation
from ..validate.columns import VALID_ROWS
from . import deadlines as dl

# Report kinds (codes): a monthly report for one cycle, or the summary report of the campaign.
MONTHLY, SUMMARY = "monthly", "summary"


@dataclass
class FileDecision:
    """What consolidation made of one submission."""

    index: int  # into validation.books / submissions
    status: str = REJECTED
    reason: str | None = None
    unit_id: str | None = None
    kind: str | None = None  # MONTHLY | SUMMARY
    period: str | None = None
    received_at: dt.datetime | None = None
    evidence: str | None = None  # a code of model.words.EVIDENCE_WORDS
    valid_nominations: int = 0
    superseded_by: str | None = None

    @property
    def later(self) -> bool:
        """Received after as_of: listed, not counted, its findings left out of the run."""
        return self.status == LATER


def decide_files(validation: Validation, inbox: Inbox, rules: RuleSet, as_of: dt.date) -> list[FileDecision]:
    """One decision per submission, in input order: used, later, superseded (a summary report sent
    again), generated (ntvt's own file) or rejected (with the reason)."""
    # Each file's row as a dict, made at once (a row looked up one by one: seconds at city scale).
    files = validation.frames.files.set_index("_file").to_dict("index")
    decisions = []
    for i, (sub, book) in enumerate(zip(validation.submissions, validation.books)):
        d = FileDecision(i, received_at=sub.received_at, evidence=sub.evidence)
        decisions.append(d)
        if book.generated is not None:  # ntvt's own output left in the inbox: never a report
            d.status, d.reason = GENERATED, GENERATED_REASON
        if book.rejected is not None:
            d.reason = book.rejected.reason
            if d.received_at is None:
                d.received_at, d.evidence = inbox.mtimes[sub.name], inbox.last_resort
            continue
        row = files[i]
        sent_key = rules.field_key("sent_date")
        sent = row.get(sent_key) if sent_key else None
        if d.received_at is None and pd.notna(sent):
            d.received_at = dt.datetime.combine(sent.date(), dt.time(0), rules.deadlines.zone)
            d.evidence = EVIDENCE_SENT
        if d.received_at is None:
            d.received_at, d.evidence = inbox.mtimes[sub.name], inbox.last_resort
        _classify(d, row, rules, as_of)
    _supersede(decisions, validation, inbox)
    return decisions


def _classify(d: FileDecision, row: dict, rules: RuleSet, as_of: dt.date) -> None:
    """Decide one readable, received submission from its row of the files frame."""
    role = rules.field_key
    d.valid_nominations = int(row[VALID_ROWS])
    d.unit_id = form_text(row, role("unit"))
    report_type, period = form_text(row, role("report_type")), form_text(row, role("period"))
    if d.unit_id is None:
        d.reason = f"không xác định được đơn vị ({_cell_words(rules, 'unit', row)})"
        return
    meaning = rules.consolidation
    if report_type == meaning.summary_report:
        d.kind = SUMMARY
    elif report_type == meaning.monthly_report or (report_type is None and period):
        d.kind = MONTHLY
    else:
        d.reason = f"không xác định được loại báo cáo ({_cell_words(rules, 'report_type', row)})"
        return
    if d.kind == MONTHLY:
        if period not in rules.deadlines.cycles:
            d.reason = f"không xác định được kỳ báo cáo ({_cell_words(rules, 'period', row)})"
            return
        d.period = period
    if d.received_at >= dl.end_of(as_of, rules.deadlines):
        # "As of D" is a view of the inbox on day D: what arrived later is listed, not counted.
        d.status = LATER
        d.reason = (f"nhận ngày {d.received_at:%d/%m/%Y}, sau ngày tính: chưa tính trong bảng tổng hợp "
                    f"đến hết ngày {as_of:%d/%m/%Y}; sẽ được tính khi tổng hợp đến ngày nhận trở đi")
        return
    d.status = USED


def _supersede(decisions: list[FileDecision], validation: Validation, inbox: Inbox) -> None:
    """A summary report sent again: the latest receipt is the content of record; earlier ones stay
    listed. (Monthly files accumulate instead: see replaced_files.)"""
    order = receipt_order(decisions, validation, inbox)
    groups: dict[tuple, list[FileDecision]] = {}
    for d in decisions:
        if d.status == USED and d.kind == SUMMARY:
            groups.setdefault(d.unit_id, []).append(d)
    names = [book.name for book in validation.books]
    for group in groups.values():
        group.sort(key=lambda d: order[d.index])
        latest = group[-1]
        for d in group[:-1]:
            d.status, d.superseded_by = SUPERSEDED, names[latest.index]
            d.reason = f"đã có báo cáo tổng kết gửi sau: {d.superseded_by}"


def receipt_order(decisions: list[FileDecision], validation: Validation, inbox: Inbox) -> dict[int, int]:
    """Each counted file's rank in the order of receipt (submission index -> rank). The same receipt
    time (two files with one "Ngày gửi"): the one saved later is the later one, then by name."""
    names = [book.name for book in validation.books]
    counted = sorted((d for d in decisions if d.status == USED),
                     key=lambda d: (d.received_at, inbox.mtimes[names[d.index]], names[d.index]))
    return {d.index: rank for rank, d in enumerate(counted)}


def replaced_files(decisions: list[FileDecision], validation: Validation, rows: dict, order: dict[int, int]) -> None:
    """A monthly file every row of which a later file replaced is superseded, by the last file (in
    receipt `order`) that replaced one of them; a file with a row still in force, or with no rows,
    stays in use."""
    names = [book.name for book in validation.books]
    alive: set[int] = set()  # files with a row in force
    replacers: dict[int, set[int]] = {}  # file -> the files that replaced its rows
    for key, states in rows.items():
        frame = validation.frames.tables[key]
        alive.update(frame.loc[states.in_force, "_file"].unique().tolist())
        replaced = states.replaced_by[states.replaced_by >= 0]
        pairs = zip(frame.loc[replaced.index, "_file"].tolist(), frame.loc[replaced.to_numpy(), "_file"].tolist())
        for file, by in set(pairs):
            replacers.setdefault(file, set()).add(by)
    for d in decisions:
        if d.status == USED and d.kind == MONTHLY and d.index in replacers and d.index not in alive:
            d.status, d.superseded_by = SUPERSEDED, names[max(replacers[d.index], key=order.__getitem__)]
            d.reason = f"mọi dòng đã được thay bằng các tệp gửi sau (tệp gửi sau cùng: {d.superseded_by})"


def _cell_words(rules: RuleSet, role: str, row: dict) -> str:
    """The form field playing `role` as the unit filled it, in words: «ô “Tên đơn vị” ghi “…”»."""
    key = rules.field_key(role)
    label = next(f.label for s in rules.sheets for f in s.fields if f.key == key)
    raw = row.get(f"{key}__raw")
    return f"ô “{label}” ghi “{raw}”" if raw else f"ô “{label}” đang để trống"
