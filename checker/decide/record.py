"""Files of record: what each submission is (whose report, which cycle, received when), whether it
counts as of the day of the run, and which of a unit's resubmissions is the content of record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..model.words import EVIDENCE_MTIME, EVIDENCE_SENT, REJECTED, SUPERSEDED, USED
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
    later: bool = False  # received after as_of: listed, not counted


def decide_files(validation: Validation, inbox: Inbox, rules: RuleSet, as_of: dt.date) -> list[FileDecision]:
    """One decision per submission, in input order: used, superseded or rejected (with the reason)."""
    files = validation.frames.files.set_index("_file")
    decisions = []
    for i, (sub, book) in enumerate(zip(validation.submissions, validation.books)):
        d = FileDecision(i, received_at=sub.received_at, evidence=sub.evidence)
        decisions.append(d)
        if book.rejected is not None:
            d.reason = book.rejected.reason
            if d.received_at is None:
                d.received_at, d.evidence = inbox.mtimes[sub.name], EVIDENCE_MTIME
            continue
        row = files.loc[i]
        sent_key = rules.field_key("sent_date")
        sent = row.get(sent_key) if sent_key else None
        if d.received_at is None and pd.notna(sent):
            d.received_at = dt.datetime.combine(sent.date(), dt.time(0), rules.deadlines.zone)
            d.evidence = EVIDENCE_SENT
        if d.received_at is None:
            d.received_at, d.evidence = inbox.mtimes[sub.name], EVIDENCE_MTIME
        _classify(d, row, rules, as_of)
    _supersede(decisions, validation, inbox)
    return decisions


def _classify(d: FileDecision, row: pd.Series, rules: RuleSet, as_of: dt.date) -> None:
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
        d.later = True
        d.reason = (f"nhận sau ngày tính ({d.received_at:%d/%m/%Y}): chưa tính trong bảng tổng hợp "
                    f"đến hết ngày {as_of:%d/%m/%Y}")
        return
    d.status = USED


def _supersede(decisions: list[FileDecision], validation: Validation, inbox: Inbox) -> None:
    """Resubmissions: the latest receipt is the content of record; earlier ones stay listed."""
    groups: dict[tuple, list[FileDecision]] = {}
    for d in decisions:
        if d.status == USED:
            groups.setdefault((d.unit_id, d.kind, d.period), []).append(d)
    names = [book.name for book in validation.books]
    for group in groups.values():
        # Same receipt time (two files with one "Ngày gửi"): the one saved later is the correction.
        group.sort(key=lambda d: (d.received_at, inbox.mtimes[names[d.index]], names[d.index]))
        latest = group[-1]
        for d in group[:-1]:
            d.status, d.superseded_by = SUPERSEDED, names[latest.index]
            d.reason = f"đã có tệp gửi sau: {d.superseded_by}"


def _cell_words(rules: RuleSet, role: str, row: pd.Series) -> str:
    """The form field playing `role` as the unit filled it, in words: «ô “Tên đơn vị” ghi “…”»."""
    key = rules.field_key(role)
    label = next(f.label for s in rules.sheets for f in s.fields if f.key == key)
    raw = row.get(f"{key}__raw")
    return f"ô “{label}” ghi “{raw}”" if raw else f"ô “{label}” đang để trống"
