"""The council's review (Mục V: the Hội đồng Thi đua - Khen thưởng Sở "xem xét, giới thiệu Thành phố
khen thưởng"): the decisions read back from a filled "Xét duyệt" sheet (read/decisions), matched to
the valid nominations in force by unit and nominee, as decide/rows keys a person for a correction
(the name with its diacritics, case and spacing not counted; a birth year left blank on one side
still agrees). So a decision survives a unit's correction and later runs. A decision for a nominee
no longer in force, and a value not among the rules file's decisions, are warnings (kinds
`review_nominee`, `review_value`), never dropped silently. The rows come from a filled workbook or
from a workspace's register (workspace/decisions: the web page's form, workbooks imported), alike."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..model.findings import Cell, Finding, Sheet, cell_ref
from ..model.packed import unpacked
from ..model.words import USED
from ..normalise.people import identity_parts
from ..read.decisions import Decided
from ..validate.messages import check_of_kind, finding
from .consolidation import Consolidation

__all__ = ["Review", "ReviewRow", "apply_review", "nominations_in_force", "person", "returned_nominees",
           "review_rows"]

NOMINEE_KIND, VALUE_KIND = "review_nominee", "review_value"


def person(unit: str, nominee, birth_year) -> tuple[tuple[str, str], str]:
    """(unit, name) keys and the birth year's key of one nominee (normalise.people's identity_parts,
    as a correction and the register's nominees key a person)."""
    (unit_key,), (name_key, birth_key) = identity_parts(unit), identity_parts(nominee, birth_year)
    return (unit_key, name_key), birth_key


@dataclass(frozen=True)
class Review:
    """The decisions in force: (unit, name) key -> [(birth year key, decision, reason)]."""

    decided: dict[tuple[str, str], list[tuple[str, str, str]]] = field(default_factory=dict)
    given: bool = False  # some nominee has a decision other than "not yet reviewed"

    def of(self, unit: str, nominee, birth_year) -> tuple[str, str] | None:
        """(decision, reason) of one nominee, or None if the council has not decided."""
        key, birth = person(unit, nominee, birth_year)
        for known, decision, reason in self.decided.get(key, ()):
            if known == birth or not known or not birth:
                return decision, reason
        return None


def nominations_in_force(c: Consolidation, columns: list[str]) -> pd.DataFrame:
    """The valid nominations in force of the monthly files (every level), each as last corrected:
    `_file`, `_row` and the `columns` the caller reads. Only those: the rows in force are most of a
    city's, and a sheet that streams them holds them until it is written (with every column, 60 MiB
    at 10,000 files for the review sheet alone)."""
    key = c.rules.sheet_key("nominations")
    frame = c.validation.frames.tables.get(key, pd.DataFrame())
    if frame.empty:
        return frame
    used = {d.index for d in c.decisions if d.status == USED and d.kind == "monthly"}
    errors = c.validation.row_errors.get(key, set())
    return frame.loc[c.rows[key].counted(frame, errors) & frame["_file"].isin(used),
                     list(dict.fromkeys(["_file", "_row", *columns]))]


def unit_of(c: Consolidation, file_index: int) -> str:
    unit = c.validation.frames.units.by_id.get(c.decisions[file_index].unit_id or "")
    return unit.name if unit else ""


def apply_review(c: Consolidation, rows: list[Decided], source: str, sheet: str) -> list[Finding]:
    """Set c.review from the rows read from `source`'s `sheet`; return the warnings about the rows not applied.
    A row with its own `source` (one kept in a register) is reported where it was written: its file's
    cell, or (row 0) that source alone, e.g. the web page's form."""
    info, rules = c.rules.review, c.rules
    name, birth = rules.field_key("nominee"), rules.field_key("birth_year")
    frame = nominations_in_force(c, [name, birth])
    in_force: dict[tuple[str, str], list[str]] = {}
    for file, who, year in zip(frame["_file"].tolist(), frame[name].tolist(), frame[birth].tolist()):
        key, year_key = person(unit_of(c, int(file)), who, year)
        in_force.setdefault(key, []).append(year_key)
    decided: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    found = []
    for r in rows:
        if not r.decision:
            continue
        origin = r.source or source
        where = Cell(origin, sheet, r.row, r.col) if r.row else Sheet(origin, sheet)
        at = f"Tệp “{origin}”, trang “{sheet}”, ô {cell_ref(r.row, r.col)}" if r.row else origin
        values = {"source": at, "sheet": sheet, "cell": cell_ref(r.row, r.col) or "", "value": r.decision,
                  "unit": r.unit or "–", "nominee": r.nominee, "expected": ", ".join(f"“{v}”" for v in info.choices)}
        key, year = person(r.unit, r.nominee, r.birth_year)
        if r.decision not in info.choices:
            rule, check = check_of_kind(rules, VALUE_KIND)
            found.append(finding(rules, rule, check, where, values=values, value=r.decision))
        elif r.decision == info.pending:
            continue
        elif not any(k == year or not k or not year for k in in_force.get(key, ())):
            rule, check = check_of_kind(rules, NOMINEE_KIND)
            found.append(finding(rules, rule, check, where, values=values, value=r.decision))
        else:
            decided.setdefault(key, []).append((year, r.decision, r.reason))
    c.review = Review(decided, bool(decided))
    return found


def returned_nominees(c: Consolidation) -> dict[str, list[tuple[str, str, int, str]]]:
    """unit id -> (nominee, source file, row, reason) of each nominee in force the council returned."""
    review, info = c.review, c.rules.review
    name, birth = c.rules.field_key("nominee"), c.rules.field_key("birth_year")
    frame = nominations_in_force(c, [name, birth]) if review is not None and review.given else pd.DataFrame()
    if frame.empty:
        return {}
    out: dict[str, list[tuple[str, str, int, str]]] = {}
    for file, row, who, year in zip(frame["_file"].tolist(), frame["_row"].tolist(), frame[name].tolist(),
                                    frame[birth].tolist()):
        decided = review.of(unit_of(c, int(file)), who, year)
        if decided is not None and decided[0] == info.returned:
            out.setdefault(c.decisions[int(file)].unit_id, []).append(
                (who, c.validation.books[int(file)].name, int(row), decided[1]))
    return out


@dataclass(frozen=True)
class ReviewRow:
    """One row of the council's review as the workbook's "Xét duyệt" lists it, with its decision."""

    unit: str
    nominee: str
    birth_year: str
    level: str
    summary: str
    file: str
    row: int
    decision: str
    reason: str


def review_rows(c: Consolidation) -> list[ReviewRow]:
    """The valid nominations in force, in the workbook's order (the units' official order, then cycle,
    file and row), each with the council's decision (the rules' "not yet reviewed" if none)."""
    key = {role: c.rules.field_key(role) for role in ("nominee", "birth_year", "level", "achievement")}
    frame, info = nominations_in_force(c, list(key.values())), c.rules.review
    if frame.empty or info is None:
        return []
    unit_order = {u.id: n for n, u in enumerate(c.rules.units)}
    out = []
    for _, row in frame.iterrows():
        file = int(row["_file"])
        unit = unit_of(c, file)
        year = identity_parts("", row[key["birth_year"]])[1]
        decided = c.review.of(unit, row[key["nominee"]], row[key["birth_year"]]) if c.review else None
        decision, reason = decided or (info.pending, "")
        texts = [unpacked(row[key[role]]) for role in ("nominee", "level", "achievement")]
        texts = [t if isinstance(t, str) else "" for t in texts]
        d = c.decisions[file]
        out.append(((unit_order.get(d.unit_id, len(unit_order)), d.period or "", c.validation.books[file].name,
                     int(row["_row"])),
                    ReviewRow(unit, texts[0], year, texts[1], texts[2], c.validation.books[file].name.split("/")[-1],
                              int(row["_row"]), decision, reason)))
    return [r for _, r in sorted(out, key=lambda x: x[0])]
