"""The campaign's figures, computed once from a consolidation for the drafts of `ntvt documents`
(write/documents): the valid nominations in force of the monthly files (decide/review) by unit,
cycle and level asked; the on-time rate of each cycle from the submission matrix (units on time /
units due, as the overview counts them); the units that never reported; the anniversary's
activities and the articles of the unit with the rules' propaganda role, over the valid activity
rows in force of the monthly files; and the nominees the council proposed to the City, in the
order of the data sheets. The documents only format these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from ..model.packed import unpacked
from ..model.words import USED
from .consolidation import Consolidation
from .record import MONTHLY
from .review import nominations_in_force, unit_of

__all__ = ["CycleRate", "Figures", "Nominee", "figures", "pending_city"]

NOT_DUE, ON_TIME, MISSING = "not_due", "on_time", "missing"  # status codes of decide/deadlines


@dataclass(frozen=True)
class CycleRate:
    cycle: str  # its label ("Tháng 06/2023")
    on_time: int  # units (that must report) on time
    due: int  # units whose deadline has passed (0: not due yet)


@dataclass(frozen=True)
class Nominee:
    name: str
    position: str
    unit: str
    summary: str
    cycle: str
    file: str
    row: int


@dataclass(frozen=True)
class Figures:
    as_of: dt.date
    by_unit: tuple[tuple[str, int], ...]  # every official unit (rules order): its valid nominations in force
    by_cycle: tuple[tuple[str, int], ...]  # every cycle (label): valid nominations in force
    by_level: tuple[tuple[str, int], ...]  # every level of the rules' list: valid nominations asking it
    on_time: tuple[CycleRate, ...]
    never_reported: tuple[str, ...]  # units that must report with no report counted, monthly or summary
    anniversary: tuple[tuple[str, int], ...]  # units with the anniversary's activities: how many
    role_unit: str  # the unit of the propaganda role ("" if none)
    role_articles: int  # the sum of its activities' articles column
    role_activities: int  # its activity rows
    proposed: tuple[Nominee, ...]  # the council's "propose to the City", in the data sheets' order
    decided: bool  # the council's decisions were read (c.review given)

    @property
    def total(self) -> int:
        return sum(n for _, n in self.by_unit)

    @property
    def units_with(self) -> int:
        return sum(1 for _, n in self.by_unit if n)


def figures(c: Consolidation, anniversary_type: str | None = None, role: str | None = None,
            articles_column: str | None = None) -> Figures:
    """The figures of `c`; the anniversary's activity type, the propaganda role and the column summed
    for its articles come from the rules file's `documents:` block (None: that figure is empty)."""
    rules = c.rules
    required = c.cycles[c.cycles["required"]] if not c.cycles.empty else c.cycles
    by_unit = tuple((u.name, n) for u, n in zip(rules.units, _sums(c.cycles, "unit", [u.id for u in rules.units])))
    by_cycle = tuple((rules.cycle_label(k), n) for k, n in zip(rules.deadlines.cycles,
                                                                _sums(c.cycles, "cycle", rules.deadlines.cycles)))
    rates = []
    for cycle in rules.deadlines.cycles:
        codes = required[required["cycle"] == cycle]["status_code"].tolist() if len(required) else []
        rates.append(CycleRate(rules.cycle_label(cycle), codes.count(ON_TIME), sum(code != NOT_DUE for code in codes)))
    silent = {NOT_DUE, MISSING}
    summary = {r.unit: r.status_code for r in c.units.itertuples()} if not c.units.empty else {}
    codes = c.cycles.groupby("unit")["status_code"].agg(set).to_dict() if not c.cycles.empty else {}
    never = tuple(u.name for u in rules.units if u.required and codes.get(u.id, set()) <= silent
                  and summary.get(u.id, MISSING) in silent)
    level = rules.field_key("level")
    nominations = nominations_in_force(c, [level, *(rules.field_key(role) for role in _PROPOSED_ROLES)])
    spec = rules.sheet(rules.sheet_key("nominations")).field(level)
    asked = nominations[level].tolist() if not nominations.empty else []
    by_level = tuple((value, asked.count(value)) for value in rules.list_values(spec.list)) if spec.list else ()
    activities = _activities(c)
    kind = rules.field_key("activity_type")
    anniversary: list[tuple[str, int]] = []
    if anniversary_type and not activities.empty:
        picked = activities[activities[kind] == anniversary_type]
        per_unit = picked["_file"].map(lambda i: c.decisions[int(i)].unit_id).value_counts().to_dict()
        anniversary = [(u.name, int(per_unit[u.id])) for u in rules.units if per_unit.get(u.id)]
    unit = next((u for u in rules.units if role and role in u.roles), None)
    own = activities[activities["_file"].map(lambda i: c.decisions[int(i)].unit_id == unit.id)] \
        if unit is not None and not activities.empty else activities.iloc[0:0]
    articles = int(pd.to_numeric(own[articles_column], errors="coerce").fillna(0).sum()) \
        if articles_column and len(own) else 0
    return Figures(c.as_of, by_unit, by_cycle, by_level, tuple(rates), never, tuple(anniversary),
                   unit.name if unit else "", articles, len(own), _proposed(c, nominations),
                   c.review is not None and c.review.given)


def _sums(cycles: pd.DataFrame, column: str, keys) -> list[int]:
    """The matrix's valid nominations of each unit (or cycle) of `keys`, in their order."""
    if cycles.empty:
        return [0] * len(keys)
    totals = cycles.groupby(column)["valid_nominations"].sum().to_dict()
    return [int(totals.get(k, 0)) for k in keys]


def _activities(c: Consolidation) -> pd.DataFrame:
    """The valid activity rows in force of the monthly files (a summary report restates them)."""
    key = c.rules.sheet_key("activities")
    frame = c.validation.frames.tables.get(key, pd.DataFrame())
    if frame.empty or key not in c.rows:
        return frame
    monthly = {d.index for d in c.decisions if d.status == USED and d.kind == MONTHLY}
    counted = c.rows[key].counted(frame, c.validation.row_errors.get(key, set()))
    return frame[counted & frame["_file"].isin(monthly)]


_PROPOSED_ROLES = ("nominee", "birth_year", "position", "achievement")  # what _proposed reads of a row


def _proposed(c: Consolidation, nominations: pd.DataFrame) -> tuple[Nominee, ...]:
    """The nominees the council proposed to the City, in the data sheets' order: unit (as the rules
    list them), cycle, file, row."""
    review, info = c.review, c.rules.review
    if review is None or not review.given or info is None or nominations.empty:
        return ()
    rules, books = c.rules, c.validation.books
    key = {role: rules.field_key(role) for role in _PROPOSED_ROLES}
    order = {u.id: n for n, u in enumerate(rules.units)}
    out = []
    for _, row in nominations.iterrows():
        file = int(row["_file"])
        unit = unit_of(c, file)
        decided = review.of(unit, row[key["nominee"]], row[key["birth_year"]])
        if decided is None or decided[0] != info.propose:
            continue
        d = c.decisions[file]
        texts = [unpacked(row[key[role]]) for role in ("nominee", "position", "achievement")]
        texts = [t if isinstance(t, str) else "" for t in texts]
        out.append(((order.get(d.unit_id, len(order)), d.period or "", books[file].name, int(row["_row"])),
                    Nominee(texts[0], texts[1], unit, texts[2], rules.cycle_label(d.period) if d.period else "",
                            books[file].name, int(row["_row"]))))
    return tuple(n for _, n in sorted(out, key=lambda pair: pair[0]))


def pending_city(c: Consolidation) -> int:
    """The valid nominations in force asking the City's level that the council has not decided
    (given decisions): the Tờ trình leaves them out."""
    review, rules = c.review, c.rules
    name, birth, level = (rules.field_key(role) for role in ("nominee", "birth_year", "level"))
    nominations = nominations_in_force(c, [name, birth, level])
    if review is None or nominations.empty or rules.consolidation is None:
        return 0
    return sum(1 for file, who, year, asked in zip(nominations["_file"].tolist(), nominations[name].tolist(),
                                                    nominations[birth].tolist(), nominations[level].tolist())
               if asked == rules.consolidation.city_level and review.of(unit_of(c, int(file)), who, year) is None)
