"""The monthly consolidation: read an inbox, decide the file of record per unit and cycle, compute
statuses as of a date, run the campaign rules, and write the workbook auditors open."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..validate import campaign_kinds as campaign
from . import deadlines as dl
from ..validate.pipeline import Validation
from ..validate.row_kinds import Context
from ..read.inbox import Inbox
from ..read.workbook import NOT_DATA
from ..model.findings import Cell, Finding, Severity, UnitCycle, cell_ref
from ..model.words import EVIDENCE_MTIME, EVIDENCE_SENT, REJECTED, SUPERSEDED, USED
from ..ruleset.spec import RuleSet
from ..validate.engine import render_failures, run_schema



@dataclass
class FileDecision:
    """What consolidation made of one submission."""

    index: int  # into validation.books / submissions
    status: str = REJECTED
    reason: str | None = None
    unit_id: str | None = None
    kind: str | None = None  # "monthly" | "summary"
    period: str | None = None
    received_at: dt.datetime | None = None
    evidence: str | None = None
    valid_nominations: int = 0
    superseded_by: str | None = None
    later: bool = False  # received after as_of: listed, not counted


@dataclass
class Consolidation:
    rules: RuleSet
    as_of: dt.date
    inbox: Inbox
    validation: Validation
    decisions: list[FileDecision]
    cycles: pd.DataFrame  # official unit × cycle
    units: pd.DataFrame  # one row per official unit
    findings: list[Finding] = field(default_factory=list)  # every finding, input and campaign
    output: Path | None = None
    feedback: list[Path] = field(default_factory=list)  # files written for units
    # Data rows the output writer wrote to each data sheet (sheet key -> rows), counted as it wrote
    # them; None until the consolidated workbook is written.
    written: dict[str, int] | None = None

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

    @staticmethod
    def row_mismatches(accounts: dict[str, dict[str, int]]) -> list[str]:
        """The sheet keys whose rows do not add up: seen = data + not data, data = frames (= written)."""
        return [key for key, a in accounts.items()
                if a["seen"] != a["data"] + sum(a[kind] for kind in NOT_DATA) or a["data"] != a["frames"]
                or a.get("written", a["data"]) != a["data"]]

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
        not_submissions = sum(1 for f in self.inbox.files if f.kind != "spreadsheet" and f.status == "rejected")
        rows = {"rows_seen": sum(a["seen"] for a in accounts), "rows_in": rows_in,
                **{f"rows_not_data_{kind}": sum(a[kind] for a in accounts) for kind in NOT_DATA},
                "rows_out": rows_out}
        if self.written is not None:
            rows["rows_written"] = sum(self.written.values())
        return {
            "inbox_files": len(self.inbox.files),
            "emails": sum(f.kind == "email" for f in self.inbox.files),
            "submissions": len(self.decisions),
            "used": statuses.count(USED),
            "superseded": statuses.count(SUPERSEDED),
            "rejected": statuses.count(REJECTED),
            "not_submissions": not_submissions,
            **rows,
            **{f"findings_{s.value}": sum(f.severity is s for f in self.findings) for s in Severity},
        }


def decide(gathered: Inbox, validation: Validation, rules: RuleSet, as_of: dt.date) -> Consolidation:
    """The consolidation of a validated inbox as of the end of `as_of`: files of record, statuses
    per unit and cycle, and the campaign findings."""
    decisions = _decide(validation, gathered, rules, as_of)
    result = Consolidation(rules, as_of, gathered, validation, decisions, pd.DataFrame(), pd.DataFrame())
    result.cycles, result.units = _status_tables(result)
    result.findings = sorted(validation.findings + _campaign_findings(result), key=Finding.sort_key)
    return result


# ---------------------------------------------------------------------------------------------
# Files of record


def _decide(validation: Validation, inbox: Inbox, rules: RuleSet, as_of: dt.date) -> list[FileDecision]:
    files = validation.frames.files.set_index("_file")
    meaning = rules.consolidation
    decisions = []
    for i, (sub, book) in enumerate(zip(validation.submissions, validation.books)):
        d = FileDecision(i)
        decisions.append(d)
        d.received_at, d.evidence = sub.received_at, sub.evidence
        if book.rejected is not None:
            d.reason = book.rejected.reason
            if d.received_at is None:
                d.received_at, d.evidence = inbox.mtimes[sub.name], EVIDENCE_MTIME
            continue
        row = files.loc[i]
        d.valid_nominations = int(row["_valid_nominations"])
        if d.received_at is None and pd.notna(row.get("sent_date")):
            d.received_at = dt.datetime.combine(row["sent_date"].date(), dt.time(0), rules.deadlines.zone)
            d.evidence = EVIDENCE_SENT
        if d.received_at is None:
            d.received_at, d.evidence = inbox.mtimes[sub.name], EVIDENCE_MTIME
        d.unit_id = row.get("unit") if isinstance(row.get("unit"), str) else None
        report_type = row.get("report_type") if isinstance(row.get("report_type"), str) else None
        period = row.get("period") if isinstance(row.get("period"), str) else None
        if d.unit_id is None:
            d.reason = f"không xác định được đơn vị ({_cell_words('Tên đơn vị', row.get('unit__raw'))})"
            continue
        if report_type == meaning.summary_report:
            d.kind = "summary"
        elif report_type == meaning.monthly_report or (report_type is None and period):
            d.kind = "monthly"
        else:
            d.reason = f"không xác định được loại báo cáo ({_cell_words('Loại báo cáo', row.get('report_type__raw'))})"
            continue
        if d.kind == "monthly":
            if period not in rules.deadlines.cycles:
                d.reason = f"không xác định được kỳ báo cáo ({_cell_words('Kỳ báo cáo', row.get('period__raw'))})"
                continue
            d.period = period
        if d.received_at >= dl.end_of(as_of, rules.deadlines):
            # "As of D" is a view of the inbox on day D: what arrived later is listed, not counted.
            d.later = True
            d.reason = (f"nhận sau ngày tính ({d.received_at:%d/%m/%Y}): chưa tính trong bảng tổng hợp "
                        f"đến hết ngày {as_of:%d/%m/%Y}")
            continue
        d.status = USED
    # Resubmissions: the latest receipt is the content of record; earlier ones stay listed.
    groups: dict[tuple, list[FileDecision]] = {}
    for d in decisions:
        if d.status == USED:
            groups.setdefault((d.unit_id, d.kind, d.period), []).append(d)
    for group in groups.values():
        # Same receipt time (two files with one "Ngày gửi"): the one saved later is the correction.
        group.sort(key=lambda d: (d.received_at, inbox.mtimes[validation.books[d.index].name],
                                  validation.books[d.index].name))
        latest = group[-1]
        for d in group[:-1]:
            d.status, d.superseded_by = SUPERSEDED, validation.books[latest.index].name
            d.reason = f"đã có tệp gửi sau: {d.superseded_by}"
    return decisions


# ---------------------------------------------------------------------------------------------
# Statuses: official unit × cycle, and the summary report


def _status_tables(c: Consolidation) -> tuple[pd.DataFrame, pd.DataFrame]:
    rules, deadlines = c.rules, c.rules.deadlines
    activities = c.validation.frames.tables.get("activities", pd.DataFrame())
    per_unit: dict[tuple, list[FileDecision]] = {}
    for d in c.decisions:
        if d.status != REJECTED:
            per_unit.setdefault((d.unit_id, d.kind, d.period), []).append(d)
    each_cycle = [ch for r in rules.rules_at("campaign") for ch in r.checks if ch.kind == "activity_each_cycle"]
    in_window = [ch for r in rules.rules_at("campaign") for ch in r.checks if ch.kind == "activity_in_window"]
    record = {(d.unit_id, d.kind, d.period): d.index for d in c.decisions if d.status == USED}
    cycle_rows, unit_rows = [], []
    for unit in rules.units:
        for cycle in deadlines.cycles:
            bound = dl.cycle_bound(cycle, deadlines)
            subs = per_unit.get((unit.id, "monthly", cycle), [])
            status = dl.status([dl.Receipt(d.received_at, d.valid_nominations > 0) for d in subs], bound, c.as_of,
                               deadlines)
            used = record.get((unit.id, "monthly", cycle))
            row = {"unit": unit.id, "unit_name": unit.name, "required": unit.required, "roles": unit.roles,
                   "due": dl.passed(bound, c.as_of, deadlines), "cycle": cycle, "cycle_label": rules.cycle_label(cycle), "status": status.text,
                   "status_code": status.code, "days_late": status.days_late,
                   "deadline": dl.describe_deadline(bound), "received_at": _receipt(status, subs),
                   "evidence": _evidence(status, subs), "file": c.validation.books[used].name if used is not None else "",
                   "valid_nominations": c.decisions[used].valid_nominations if used is not None else 0,
                   "submissions": len(subs)}
            for ch in each_cycle:
                row[campaign.activity_column(ch)] = _count_activities(activities, [used], ch.params["activity_type"])
            cycle_rows.append(row)
        bound = dl.summary_bound(deadlines)
        subs = per_unit.get((unit.id, "summary", None), [])
        status = dl.status([dl.Receipt(d.received_at, True) for d in subs], bound, c.as_of, deadlines)
        used_files = [d.index for d in c.decisions if d.status == USED and d.unit_id == unit.id]
        row = {"unit": unit.id, "unit_name": unit.name, "required": unit.required, "roles": unit.roles,
               "due": dl.passed(bound, c.as_of, deadlines), "summary_status": status.text, "status": status.text, "status_code": status.code,
               "deadline": dl.describe_deadline(bound), "received_at": _receipt(status, subs),
               "evidence": _evidence(status, subs)}
        for ch in in_window:
            row[campaign.activity_column(ch)] = _count_activities(
                activities, used_files, ch.params["activity_type"], ch.params["from"], ch.params["to"])
        unit_rows.append(row)
    return pd.DataFrame(cycle_rows), pd.DataFrame(unit_rows)


def _receipt(status: dl.Status, subs: list[FileDecision]) -> dt.datetime | None:
    if status.receipt is not None:
        return status.receipt.received_at
    return max((d.received_at for d in subs), default=None)


def _evidence(status: dl.Status, subs: list[FileDecision]) -> str:
    moment = _receipt(status, subs)
    return next((d.evidence for d in subs if d.received_at == moment), "") if moment else ""


def _count_activities(frame: pd.DataFrame, files: list[int | None], activity_type: str,
                      start: dt.date | None = None, end: dt.date | None = None) -> int:
    files = [f for f in files if f is not None]
    if frame.empty or not files:
        return 0
    picked = frame[frame["_file"].isin(files) & (frame["type"] == activity_type)]
    if start is not None:
        picked = picked[(picked["date"] >= pd.Timestamp(start)) & (picked["date"] <= pd.Timestamp(end))]
    return int(len(picked))


# ---------------------------------------------------------------------------------------------
# Campaign findings


def _campaign_findings(c: Consolidation) -> list[Finding]:
    rules = c.rules
    ctx = Context(rules, rules.list_values, lambda key: None, lambda name: [], as_of=c.as_of)
    tables = {"cycles": c.cycles, "units": c.units, "figures": _figures(c), "history": _history(c)}
    out: list[Finding] = []
    for rule in rules.rules_at("campaign"):
        for check in rule.checks:
            table_name, column = campaign.TABLES[check.kind]
            frame = tables[table_name]
            if frame.empty:
                continue
            frame = frame.copy()
            frame[f"{column}__raw"] = frame[column].astype(str)
            one = dataclasses.replace(rule, checks=(check,))
            failures = run_schema(ctx, frame, [one], targets=lambda ch, col=column: (col,))
            for index, col, _, spec, extra, row in render_failures(ctx, frame, failures, [one]):
                out.append(_campaign_finding(c, rule, spec, row, extra))
    return out


def _campaign_finding(c: Consolidation, rule, spec, row: dict, extra: dict) -> Finding:
    rules = c.rules
    if "file" in row and isinstance(row.get("sheet"), str):  # a finding on an input cell
        values = {"cell": row["cell"], "column": row["label"], "value": row["value"], "sheet": row["sheet"],
                  "file": row["file"], **extra}
        message = spec.message.format(**values)
        return Finding(rule_id=rule.id, code=spec.kind, severity=Severity(spec.severity),
                       where=Cell(row["file"], row["sheet"], int(row["row"]), int(row["col"])), column=row["label"],
                       value=str(row["value"]), text=message, clause=rule.clause, citation=rules.citation(rule.id))
    values = {"cell": "", "column": "", "value": "", "sheet": "", "file": "", **extra}
    message = spec.message.format(**values)
    cycle = row.get("cycle") if isinstance(row.get("cycle"), str) else None
    return Finding(rule_id=rule.id, code=spec.kind, severity=Severity(spec.severity),
                   where=UnitCycle(row["unit"], cycle), text=message, clause=rule.clause,
                   citation=rules.citation(rule.id))


def _figures(c: Consolidation) -> pd.DataFrame:
    """Each figure a summary report states, next to what the unit's monthly files of record hold."""
    check = next((ch for r in c.rules.rules_at("campaign") for ch in r.checks if ch.kind == "summary_matches"), None)
    if check is None:
        return pd.DataFrame()
    frames = c.validation.frames
    files = frames.files.set_index("_file")
    rows = []
    for d in c.decisions:
        if d.status != USED or d.kind != "summary":
            continue
        book = c.validation.books[d.index]
        monthly = [m.index for m in c.decisions if m.status == USED and m.kind == "monthly"
                   and m.unit_id == d.unit_id and m.received_at <= d.received_at]
        for key, spec in check.params["counts"].items():
            fv = book.forms.get("summary", {}).get(key)
            stated = files.at[d.index, key] if key in files.columns else None
            if fv is None or stated is None or pd.isna(stated):
                continue
            table = frames.tables[spec["sheet"]]
            counted = campaign.count_where(table[table["_file"].isin(monthly)], spec)
            label = c.rules.sheet("summary").field(key).label
            rows.append({"file": book.name, "sheet": book.form_sheets["summary"], "row": fv.row, "col": fv.col,
                         "cell": cell_ref(fv.row, fv.col), "label": label, "value": _num(stated),
                         "stated": float(stated), "expected": float(counted.sum()) if len(counted) else 0.0})
    return pd.DataFrame(rows)


def _history(c: Consolidation) -> pd.DataFrame:
    """Nomination rows of the monthly files of record, with the earlier cycle a person and deed had."""
    check = next((ch for r in c.rules.rules_at("campaign") for ch in r.checks if ch.kind == "repeat_nomination"), None)
    frame = c.validation.frames.tables.get("nominations", pd.DataFrame())
    used = {d.index: d for d in c.decisions if d.status == USED and d.kind == "monthly"}
    if check is None or frame.empty or not used:
        return pd.DataFrame()
    rows = frame[frame["_file"].isin(used) & (frame["name__raw"] != "")].copy()
    rows["_unit"] = rows["_file"].map(lambda i: used[i].unit_id)
    rows["_period"] = rows["_file"].map(lambda i: used[i].period)
    rows["_key"] = campaign.person_keys(rows, check.params["person"] + check.params["deed"])
    rows = rows.sort_values(["_period", "_file", "_row"], kind="stable")
    group = rows.groupby(["_unit", "_key"], sort=False)
    first_period, first_file = group["_period"].transform("first"), group["_file"].transform("first")
    repeat = first_period < rows["_period"]
    books, label = c.validation.books, c.rules.sheet("nominations").field("name").label
    names = [books[i].name for i in rows["_file"]]
    columns = [books[i].tables["nominations"].columns.get("name") for i in rows["_file"]]
    return pd.DataFrame({
        "file": names, "sheet": [books[i].tables["nominations"].sheet_name for i in rows["_file"]],
        "row": rows["_row"].astype(int).tolist(), "col": columns,
        "cell": [cell_ref(r, col) for col, r in zip(columns, rows["_row"].astype(int))],
        "label": label, "value": rows["name__raw"].tolist(), "name": rows["name__raw"].tolist(),
        "earlier_cycle": [c.rules.cycle_label(p) if rep else None for p, rep in zip(first_period, repeat)],
        "earlier_file": [books[int(f)].name if rep else None for f, rep in zip(first_file, repeat)],
    })


def _cell_words(label: str, raw: str | None) -> str:
    return f"ô “{label}” ghi “{raw}”" if raw else f"ô “{label}” đang để trống"


def _num(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
