"""Statuses as of a date: one row per official unit × cycle (the monthly reports) and one per unit
(the summary report), each with its deadline, receipt, evidence, and the valid nominations and the
activities in force (decide.rows) over all the unit's files for it."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..model.words import LATER, REJECTED, USED
from ..ruleset.spec import CheckSpec, RuleSet, Unit
from ..validate import campaign_kinds as campaign
from ..validate.pipeline import Validation
from . import deadlines as dl
from .record import MONTHLY, SUMMARY, FileDecision
from .rows import RowStates


def status_tables(rules: RuleSet, validation: Validation, decisions: list[FileDecision],
                  rows: dict[str, RowStates], as_of: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(unit × cycle table, unit table) as of the end of `as_of`."""
    tables = _Tables(rules, validation, decisions, rows, as_of)
    cycle_rows, unit_rows = [], []
    for unit in rules.units:
        cycle_rows += [tables.cycle_row(unit, cycle) for cycle in rules.deadlines.cycles]
        unit_rows.append(tables.unit_row(unit))
    return pd.DataFrame(cycle_rows), pd.DataFrame(unit_rows)


def _campaign_checks(rules: RuleSet, kind: str) -> list[CheckSpec]:
    return [ch for r in rules.rules_at("campaign") for ch in r.checks if ch.kind == kind]


class _Tables:
    """What both tables read: the decisions grouped by unit, report kind and cycle, and the rows in force."""

    def __init__(self, rules: RuleSet, validation: Validation, decisions: list[FileDecision],
                 rows: dict[str, RowStates], as_of: dt.date):
        self.rules, self.deadlines, self.validation, self.decisions, self.as_of = (
            rules, rules.deadlines, validation, decisions, as_of)
        self.per_unit: dict[tuple, list[FileDecision]] = {}
        for d in decisions:
            if d.status not in (REJECTED, LATER):
                self.per_unit.setdefault((d.unit_id, d.kind, d.period), []).append(d)
        # Valid nominations in force, per file; the activities in force.
        key = rules.sheet_key("nominations")
        nominations = validation.frames.tables.get(key)
        if nominations is not None and key in rows:
            counted = rows[key].counted(nominations, validation.row_errors.get(key, set()))
            self.valid = nominations.loc[counted, "_file"].value_counts().to_dict()
        else:
            self.valid = {}
        key = rules.sheet_key("activities")
        activities = validation.frames.tables.get(key, pd.DataFrame())
        self.activities = activities[rows[key].in_force] if key in rows and not activities.empty else activities
        self.each_cycle = _campaign_checks(rules, "activity_each_cycle")
        self.in_window = _campaign_checks(rules, "activity_in_window")
        self._activity_counts: dict[tuple, dict[int, int]] = {}

    def _common(self, unit: Unit, bound: dt.datetime) -> dict:
        return {"unit": unit.id, "unit_name": unit.name, "required": unit.required, "roles": unit.roles,
                "due": dl.passed(bound, self.as_of, self.deadlines)}

    def cycle_row(self, unit: Unit, cycle: str) -> dict:
        bound = dl.cycle_bound(cycle, self.deadlines)
        subs = self.per_unit.get((unit.id, MONTHLY, cycle), [])
        status = dl.status([dl.Receipt(d.received_at, d.valid_nominations > 0) for d in subs], bound, self.as_of,
                           self.deadlines)
        used = [d.index for d in subs if d.status == USED]
        row = {**self._common(unit, bound), "cycle": cycle, "cycle_label": self.rules.cycle_label(cycle),
               "status": status.text, "status_code": status.code, "days_late": status.days_late,
               "deadline": dl.describe_deadline(bound), "received_at": _receipt(status, subs),
               "evidence": _evidence(status, subs),
               "file": "; ".join(self.validation.books[i].name for i in used),
               "valid_nominations": sum(self.valid.get(i, 0) for i in used),
               "submissions": len(subs)}
        for ch in self.each_cycle:
            row[campaign.activity_column(ch)] = self.count_activities(used, ch.params["activity_type"])
        return row

    def unit_row(self, unit: Unit) -> dict:
        bound = dl.summary_bound(self.deadlines)
        subs = self.per_unit.get((unit.id, SUMMARY, None), [])
        status = dl.status([dl.Receipt(d.received_at, True) for d in subs], bound, self.as_of, self.deadlines)
        used_files = [d.index for d in self.decisions if d.status == USED and d.unit_id == unit.id]
        row = {**self._common(unit, bound), "summary_status": status.text, "status": status.text,
               "status_code": status.code, "deadline": dl.describe_deadline(bound),
               "received_at": _receipt(status, subs), "evidence": _evidence(status, subs)}
        for ch in self.in_window:
            row[campaign.activity_column(ch)] = self.count_activities(
                used_files, ch.params["activity_type"], ch.params["from"], ch.params["to"])
        return row

    def count_activities(self, files: list[int | None], activity_type: str, start: dt.date | None = None,
                         end: dt.date | None = None) -> int:
        """Activity rows of `activity_type` in `files` (between `start` and `end`, if given)."""
        per_file = self._activities_per_file(activity_type, start, end)
        return sum(per_file.get(f, 0) for f in files if f is not None)

    def _activities_per_file(self, activity_type: str, start: dt.date | None, end: dt.date | None) -> dict[int, int]:
        """How many activity rows of that type (in that window) each file has: counted once per
        check, not once per unit and cycle (a filter of the whole frame each: 2 ms, 144 times)."""
        key = (activity_type, start, end)
        if key not in self._activity_counts:
            frame = self.activities
            if frame.empty:
                self._activity_counts[key] = {}
                return {}
            kind, day = self.rules.field_key("activity_type"), self.rules.field_key("activity_date")
            picked = frame[frame[kind] == activity_type]
            if start is not None:
                picked = picked[(picked[day] >= pd.Timestamp(start)) & (picked[day] <= pd.Timestamp(end))]
            self._activity_counts[key] = picked["_file"].value_counts().to_dict()
        return self._activity_counts[key]


def _receipt(status: dl.Status, subs: list[FileDecision]) -> dt.datetime | None:
    """The receipt the status rests on, else the latest one."""
    if status.receipt is not None:
        return status.receipt.received_at
    return max((d.received_at for d in subs), default=None)


def _evidence(status: dl.Status, subs: list[FileDecision]) -> str:
    """The code of what that receipt time rests on (model.words.EVIDENCE_WORDS), or ""."""
    moment = _receipt(status, subs)
    return next((d.evidence for d in subs if d.received_at == moment), "") if moment else ""
