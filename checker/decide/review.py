"""The council's review (Mục V: the Hội đồng Thi đua - Khen thưởng Sở "xem xét, giới thiệu Thành phố
khen thưởng"): the decisions read back from a filled "Xét duyệt" sheet (read/decisions), matched to
the valid nominations in force by unit and nominee, as decide/rows keys a person for a correction
(the name with its diacritics, case and spacing not counted; a birth year left blank on one side
still agrees). So a decision survives a unit's correction and later runs. A decision for a nominee
no longer in force, and a value not among the rules file's decisions, are warnings (kinds
`review_nominee`, `review_value`), never dropped silently."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..model.findings import Cell, Finding, cell_ref
from ..model.words import USED
from ..normalise.people import key_part
from ..read.decisions import Decided
from ..validate.messages import check_of_kind, finding
from .consolidation import Consolidation
from .rows import name_key

__all__ = ["Review", "apply_review", "nominations_in_force", "person", "returned_nominees"]

NOMINEE_KIND, VALUE_KIND = "review_nominee", "review_value"


def person(unit: str, nominee, birth_year) -> tuple[tuple[str, str], str]:
    """(unit, name) keys and the birth year's key of one nominee."""
    return (name_key(unit), name_key(nominee)), key_part(birth_year)


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


def nominations_in_force(c: Consolidation) -> pd.DataFrame:
    """The valid nominations in force of the monthly files (every level), each as last corrected."""
    key = c.rules.sheet_key("nominations")
    frame = c.validation.frames.tables.get(key, pd.DataFrame())
    if frame.empty:
        return frame
    used = {d.index for d in c.decisions if d.status == USED and d.kind == "monthly"}
    errors = c.validation.row_errors.get(key, set())
    return frame[c.rows[key].counted(frame, errors) & frame["_file"].isin(used)]


def unit_of(c: Consolidation, file_index: int) -> str:
    unit = c.validation.frames.units.by_id.get(c.decisions[file_index].unit_id or "")
    return unit.name if unit else ""


def apply_review(c: Consolidation, rows: list[Decided], source: str, sheet: str) -> list[Finding]:
    """Set c.review from the rows read from `source`'s `sheet`; return the warnings about the rows not applied."""
    info, rules = c.rules.review, c.rules
    name, birth = rules.field_key("nominee"), rules.field_key("birth_year")
    frame = nominations_in_force(c)
    in_force: dict[tuple[str, str], list[str]] = {}
    for file, who, year in zip(frame["_file"].tolist(), frame[name].tolist(), frame[birth].tolist()):
        key, year_key = person(unit_of(c, int(file)), who, year)
        in_force.setdefault(key, []).append(year_key)
    decided: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    found = []
    for r in rows:
        if not r.decision:
            continue
        where = Cell(source, sheet, r.row, r.col)
        values = {"source": source, "sheet": sheet, "cell": cell_ref(r.row, r.col), "value": r.decision, "unit": r.unit or "–",
                  "nominee": r.nominee, "expected": ", ".join(f"“{v}”" for v in info.choices)}
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
    frame = nominations_in_force(c) if review is not None and review.given else pd.DataFrame()
    if frame.empty:
        return {}
    name, birth = c.rules.field_key("nominee"), c.rules.field_key("birth_year")
    out: dict[str, list[tuple[str, str, int, str]]] = {}
    for file, row, who, year in zip(frame["_file"].tolist(), frame["_row"].tolist(), frame[name].tolist(),
                                    frame[birth].tolist()):
        decided = review.of(unit_of(c, int(file)), who, year)
        if decided is not None and decided[0] == info.returned:
            out.setdefault(c.decisions[int(file)].unit_id, []).append(
                (who, c.validation.books[int(file)].name, int(row), decided[1]))
    return out
