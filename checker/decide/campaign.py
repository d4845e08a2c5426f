"""The campaign rules' findings: deadlines, activities and cross-file checks, run (validate.engine) on
the status tables and on two tables built here: the figures a summary report states next to what the
unit's monthly rows in force hold, and the nomination rows in force with the earlier cycle they appeared in."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from ..model.findings import Cell, Finding, UnitCycle, cell_ref
from ..model.words import USED
from ..normalise.people import person_keys
from ..ruleset.kinds import KINDS
from ..ruleset.spec import CheckSpec, Rule, RuleSet
from ..validate import campaign_kinds
from ..validate.engine import render_failures, run_schema
from ..validate.messages import finding
from ..validate.pipeline import Validation
from ..validate.row_kinds import Context
from .record import MONTHLY, SUMMARY, FileDecision
from .rows import RowStates


def campaign_findings(rules: RuleSet, as_of: dt.date, validation: Validation, decisions: list[FileDecision],
                      rows: dict[str, RowStates], cycles: pd.DataFrame, units: pd.DataFrame) -> list[Finding]:
    """Every campaign rule's findings, given the unit × cycle and unit status tables."""
    tables = {"cycles": cycles, "units": units, "figures": _figures(rules, validation, decisions, rows),
              "history": _history(rules, validation, decisions, rows)}
    return campaign_rule_findings(rules, as_of, tables)


def campaign_rule_findings(rules: RuleSet, as_of: dt.date, tables: dict[str, pd.DataFrame]) -> list[Finding]:
    """The findings of the campaign rules whose table (ruleset.kinds) is one of `tables`; the others
    are another stage's (decide.nominees runs the register's table, only in a workspace)."""
    ctx = Context(rules, rules.list_values, lambda key: None, lambda name: [], as_of=as_of)
    out: list[Finding] = []
    for rule in rules.rules_at("campaign"):
        for check in rule.checks:
            table_name, column = KINDS[check.kind].table
            frame = tables.get(table_name)
            if frame is None or frame.empty:
                continue
            frame = frame.copy()
            frame[f"{column}__raw"] = frame[column].astype(str)
            one = dataclasses.replace(rule, checks=(check,))
            failures = run_schema(ctx, frame, [one], targets=lambda ch, col=column: (col,))
            for _, _, _, spec, extra, row in render_failures(ctx, frame, failures, [one]):
                out.append(_campaign_finding(rules, rule, spec, row, extra))
    return out


def _campaign_finding(rules: RuleSet, rule: Rule, check: CheckSpec, row: dict, extra: dict) -> Finding:
    """On an input cell (a figure, a nomination), or on a unit's standing in one cycle or the campaign."""
    if "file" in row and isinstance(row.get("sheet"), str):
        values = {"cell": row["cell"], "column": row["label"], "value": row["value"], "sheet": row["sheet"],
                  "file": row["file"], **extra}
        where = Cell(row["file"], row["sheet"], int(row["row"]), int(row["col"]))
        return finding(rules, rule, check, where, values=values, column=row["label"], value=str(row["value"]))
    cycle = row.get("cycle") if isinstance(row.get("cycle"), str) else None
    return finding(rules, rule, check, UnitCycle(row["unit"], cycle), values=extra)


def _first_check(rules: RuleSet, kind: str) -> CheckSpec | None:
    return next((ch for r in rules.rules_at("campaign") for ch in r.checks if ch.kind == kind), None)


def _figures(rules: RuleSet, validation: Validation, decisions: list[FileDecision],
             states: dict[str, RowStates]) -> pd.DataFrame:
    """Each figure a summary report states, next to what the unit's monthly rows in force hold (of
    the files received by the summary report's receipt)."""
    check = _first_check(rules, "summary_matches")
    if check is None:
        return pd.DataFrame()
    frames, summary = validation.frames, rules.sheet_key("summary")
    files = frames.files.set_index("_file")
    rows = []
    for d in decisions:
        if d.status != USED or d.kind != SUMMARY:
            continue
        book = validation.books[d.index]
        monthly = [m.index for m in decisions if m.status == USED and m.kind == MONTHLY
                   and m.unit_id == d.unit_id and m.received_at <= d.received_at]
        for key, spec in check.params["counts"].items():
            fv = book.forms.get(summary, {}).get(key)
            stated = files.at[d.index, key] if key in files.columns else None
            if fv is None or stated is None or pd.isna(stated):
                continue
            table = frames.tables[spec["sheet"]]
            in_force = states[spec["sheet"]].in_force
            counted = campaign_kinds.count_where(table[in_force & table["_file"].isin(monthly)], spec)
            label = rules.sheet(summary).field(key).label
            rows.append({"file": book.name, "sheet": book.form_sheets[summary], "row": fv.row, "col": fv.col,
                         "cell": cell_ref(fv.row, fv.col), "label": label, "value": _num(stated),
                         "stated": float(stated), "expected": float(counted.sum()) if len(counted) else 0.0})
    return pd.DataFrame(rows)


def _history(rules: RuleSet, validation: Validation, decisions: list[FileDecision],
             rows_in_force: dict[str, RowStates]) -> pd.DataFrame:
    """Nomination rows in force of the monthly files, with the earlier cycle a person and deed had."""
    check = _first_check(rules, "repeat_nomination")
    sheet, name = rules.sheet_key("nominations"), rules.field_key("nominee")
    frame = validation.frames.tables.get(sheet, pd.DataFrame())
    used = {d.index: d for d in decisions if d.status == USED and d.kind == MONTHLY}
    if check is None or frame.empty or not used:
        return pd.DataFrame()
    raw, keyed = f"{name}__raw", check.params["person"] + check.params["deed"]
    # Only the columns read here: the rows in force are most of a city's, and with every column
    # this copy and its sort were most of the decide stage's peak (120 MiB of it at 10,000 files).
    rows = frame.loc[rows_in_force[sheet].in_force & frame["_file"].isin(used) & (frame[raw] != ""),
                     list(dict.fromkeys(["_file", "_row", raw, *keyed]))]
    rows["_unit"] = rows["_file"].map(lambda i: used[i].unit_id)
    rows["_period"] = rows["_file"].map(lambda i: used[i].period)
    rows["_key"] = person_keys(rows, keyed)
    rows = rows.sort_values(["_period", "_file", "_row"], kind="stable")
    group = rows.groupby(["_unit", "_key"], sort=False)
    first_period, first_file = group["_period"].transform("first"), group["_file"].transform("first")
    repeat = first_period < rows["_period"]
    books, label = validation.books, rules.sheet(sheet).field(name).label
    names = [books[i].name for i in rows["_file"]]
    columns = [books[i].tables[sheet].columns.get(name) for i in rows["_file"]]
    return pd.DataFrame({
        "file": names, "sheet": [books[i].tables[sheet].sheet_name for i in rows["_file"]],
        "row": rows["_row"].astype(int).tolist(), "col": columns,
        "cell": [cell_ref(r, col) for col, r in zip(columns, rows["_row"].astype(int))],
        "label": label, "value": rows[raw].tolist(), "name": rows[raw].tolist(),
        "earlier_cycle": [rules.cycle_words(p) if rep else None for p, rep in zip(first_period, repeat)],
        "earlier_file": [books[int(f)].name if rep else None for f, rep in zip(first_file, repeat)],
    })


def _num(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
