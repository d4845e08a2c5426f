"""Nominees across plans: the nomination rows in force of a consolidation as a workspace's register keeps
them, one plan (year) after another, and the info finding on a person put forward again under another
plan (the `earlier_plan_nomination` kind). Only a workspace has a register: a folder's consolidation
runs none of this.

Who is who is decide.rows' key over the rules' `consolidation.same_row` columns of the nominations
(the name with its diacritics, then the birth year): "Lê Thị Hoa" born 1985 and born 1990 are two people.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..model.findings import Finding, cell_ref
from ..model.words import USED
from ..normalise.people import key_part
from .campaign import campaign_rule_findings
from .consolidation import Consolidation
from .record import MONTHLY
from .rows import row_key

__all__ = ["Nominee", "earlier_findings", "nominees"]


@dataclass(frozen=True)
class Nominee:
    """One nominee in force of a plan's run, as the register keeps it."""

    plan_id: str
    plan_number: str
    plan_year: int | None
    unit: str
    unit_name: str
    name: str  # as written, NFC
    person_key: str
    birth_year: str | None
    cycle: str  # YYYY-MM
    level: str | None
    file: str
    sheet: str
    row: int
    decision: str | None = None  # the council's (issue 17 item 1), None until it decides


def _in_force(result: Consolidation) -> pd.DataFrame:
    """The nomination rows in force of the monthly files used, named, with their unit, cycle and key."""
    rules, validation = result.rules, result.validation
    sheet = rules.sheet_key("nominations")
    columns = list(rules.consolidation.same_row.get(sheet, ())) if rules.consolidation else []
    frame = validation.frames.tables.get(sheet, pd.DataFrame())
    used = {d.index: d for d in result.decisions if d.status == USED and d.kind == MONTHLY}
    if not columns or frame.empty or not used or sheet not in result.rows:
        return pd.DataFrame()
    raw = f"{columns[0]}__raw"
    rows = frame[result.rows[sheet].in_force & frame["_file"].isin(used) & (frame[raw] != "")].copy()
    rows["_unit"] = rows["_file"].map(lambda i: used[i].unit_id)
    rows["_period"] = rows["_file"].map(lambda i: used[i].period)
    rows["_key"] = [row_key(list(values)) for values in zip(*(rows[c].tolist() for c in columns))]
    return rows


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def nominees(result: Consolidation) -> list[Nominee]:
    """The consolidation's nominees in force, in file and row order."""
    rows = _in_force(result)
    if rows.empty:
        return []
    rules, books = result.rules, result.validation.books
    sheet, plan = rules.sheet_key("nominations"), rules.plan
    name, birth, level = (rules.field_key(r) for r in ("nominee", "birth_year", "level"))
    names = {u.id: u.name for u in rules.units}
    return [Nominee(plan.id, plan.number, plan.year, r["_unit"], names.get(r["_unit"], r["_unit"]),
                    r[f"{name}__raw"], r["_key"], (key_part(r[birth]) or None) if birth else None, r["_period"],
                    _text(r.get(level)) if level else None, books[r["_file"]].name,
                    books[r["_file"]].tables[sheet].sheet_name, int(r["_row"]))
            for r in rows.to_dict("records")]


def earlier_findings(result: Consolidation, earlier: list[Nominee]) -> list[Finding]:
    """An info finding on each nominee in force found in `earlier` under another plan of an earlier or the
    same year (the latest such): a later plan's nominee is not what the council weighs now."""
    rules = result.rules
    year = rules.plan.year
    latest: dict[str, Nominee] = {}
    for n in earlier:
        if n.plan_id != rules.plan.id and (year is None or n.plan_year is None or n.plan_year <= year):
            known = latest.get(n.person_key)
            if known is None or (known.plan_year or 0, known.cycle) < (n.plan_year or 0, n.cycle):
                latest[n.person_key] = n
    rows = _in_force(result)
    if rows.empty or not latest:
        return []
    rows = rows[rows["_key"].isin(latest)]
    books, sheet, name = result.validation.books, rules.sheet_key("nominations"), rules.field_key("nominee")
    found = [latest[k] for k in rows["_key"]]
    columns = [books[i].tables[sheet].columns.get(name) for i in rows["_file"]]
    table = pd.DataFrame({
        "file": [books[i].name for i in rows["_file"]],
        "sheet": [books[i].tables[sheet].sheet_name for i in rows["_file"]],
        "row": rows["_row"].astype(int).tolist(), "col": columns,
        "cell": [cell_ref(r, c) for c, r in zip(columns, rows["_row"].astype(int))],
        "label": rules.sheet(sheet).field(name).label, "value": rows[f"{name}__raw"].tolist(),
        "name": rows[f"{name}__raw"].tolist(),
        "earlier_plan": [n.plan_number for n in found],
        "earlier_year": ["" if n.plan_year is None else str(n.plan_year) for n in found],
        "earlier_unit": [n.unit_name for n in found],
        "earlier_cycle": [rules.cycle_words(n.cycle) for n in found],
        "earlier_decision": [f"“{n.decision}”" if n.decision else None for n in found],
    })
    return campaign_rule_findings(rules, result.as_of, {"earlier": table})
