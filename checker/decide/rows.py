"""Rows in force. A unit may send several files for one cycle (Mục V asks it to propose "ngay tại thời
điểm phát hiện được việc làm tốt"), so the rows of its files accumulate; a row of a later file
replaces an earlier file's row about the same nominee or activity (the rules file's
`consolidation.same_row` columns): that is a correction. Rows of files that do not count (rejected,
superseded summary reports, received after the day of reckoning) are not in force.

Two rows are about the same thing when the first `same_row` column (the name) agrees and is not
blank, and every other one agrees. Names are compared with their diacritics (only case and spacing
do not count): "Lê Thị Hoa" and "Lê Thị Hòa" are two people, and a row that silently replaced the
other would lose a nominee. A value left blank on one side (a correction that fills in a birth year)
still agrees, but only when it points at a single earlier row: if two earlier rows could be meant,
nothing is replaced and both stay in force, visible to the office.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..model.words import USED
from ..normalise.people import identity_key, identity_parts
from ..ruleset.spec import RuleSet
from ..validate.pipeline import Validation

NOT_REPLACED = -1


@dataclass(frozen=True)
class RowStates:
    """One data sheet's rows (aligned with its validated frame): in force, and what replaced them."""

    in_force: pd.Series  # bool
    replaced_by: pd.Series  # int: the frame index of the row that replaced this one, NOT_REPLACED if none

    def counted(self, frame: pd.DataFrame, errors: set[int]) -> pd.Series:
        """In force and free of errors: the rows the matrix, the lists and the figures count."""
        return self.in_force & ~frame.index.isin(errors)


def row_states(rules: RuleSet, validation: Validation, decisions: list, receipt_order: dict[int, int]
               ) -> dict[str, RowStates]:
    """Per table sheet (key): which rows are in force. `receipt_order` ranks the counted files of
    each unit and report (earlier receipt first); `decisions` are the files' (decide.record)."""
    counted = {d.index for d in decisions if d.status == USED}
    group_of = {d.index: (d.unit_id, d.kind, d.period) for d in decisions if d.index in counted}
    files_per_group: dict[tuple, int] = {}
    for g in group_of.values():
        files_per_group[g] = files_per_group.get(g, 0) + 1
    out = {}
    for spec in rules.sheets:
        if spec.kind != "table":
            continue
        frame = validation.frames.tables.get(spec.key, pd.DataFrame(columns=["_file", "_row"]))
        in_force = frame["_file"].isin(counted)
        replaced_by = pd.Series(NOT_REPLACED, index=frame.index, dtype="int64")
        columns = rules.consolidation.same_row.get(spec.key) if rules.consolidation else None
        if columns:
            # Only a unit and cycle with several files can hold a correction: at city scale that is
            # a small part of the rows, and only those are keyed.
            several = {i for i, g in group_of.items() if files_per_group[g] > 1}
            candidates = frame.loc[in_force & frame["_file"].isin(several), ["_file", "_row", *columns]]
            pairs = _replacements(candidates, columns, group_of, receipt_order)
            if pairs:  # each row is replaced once at most: set all at once (one by one: seconds at city scale)
                old, new = zip(*pairs)
                replaced_by.loc[list(old)] = list(new)
            in_force &= replaced_by == NOT_REPLACED
        out[spec.key] = RowStates(in_force, replaced_by)
    return out


def _replacements(rows: pd.DataFrame, columns: tuple[str, ...], group_of: dict[int, tuple],
                  receipt_order: dict[int, int]) -> list[tuple[int, int]]:
    """(replaced row, replacing row) frame indexes: each row against the rows of earlier files of its
    unit and report about the same thing, taken in receipt order, so a second correction replaces
    the first one (whose row it finds still in force).

    One unit and report at a time: a row is only ever compared within its own, and keying a city's
    rows all at once held a key and an entry for every row together (36 MiB of the decide stage's
    peak at 10,000 files)."""
    if rows.empty:
        return []
    files, lines, indexes = rows["_file"].tolist(), rows["_row"].tolist(), rows.index.tolist()
    values = [rows[c].tolist() for c in columns]
    members: dict[tuple, list[int]] = {}  # a unit and report -> the positions of its rows
    for n, file in enumerate(files):
        members.setdefault(group_of[file], []).append(n)
    pairs = []
    for positions in members.values():
        by_thing: dict[str, list[tuple[int, int, int, tuple[str, ...]]]] = {}
        for n in positions:
            name, *rest = identity_parts(*(column[n] for column in values))
            if name == "":
                continue  # an unnamed row is about nobody in particular: it never replaces or is replaced
            by_thing.setdefault(name, []).append((receipt_order[files[n]], lines[n], indexes[n], tuple(rest)))
        for entries in by_thing.values():
            pairs += _corrections(entries)
    return pairs


def _corrections(entries: list[tuple[int, int, int, tuple[str, ...]]]) -> list[tuple[int, int]]:
    """The (replaced, replacing) pairs among one unit and report's rows about one name: entries
    (file order, Excel row, frame index, the other keys)."""
    if len({order for order, *_ in entries}) < 2:
        return []  # all in one file: a duplicate, the `unique` kind's to report, not a correction
    entries.sort()
    pairs = []
    alive: list[tuple[int, int, tuple[str, ...]]] = []  # (file order, frame index, other keys)
    for order, _, index, rest in entries:
        earlier = [e for e in alive if e[0] < order]
        same = [e for e in earlier if e[2] == rest]
        maybe = [e for e in earlier if e[2] != rest and _agree(e[2], rest)]
        # A blank on one side names nobody in particular among several: then replace nothing.
        gone = same + (maybe if len(same) + len(maybe) == 1 else [])
        pairs += [(e[1], index) for e in gone]
        alive = [e for e in alive if e not in gone] + [(order, index, rest)]
    return pairs


def row_key(values: list) -> str:
    """One row's key from its `same_row` values (the name first): what a correction is matched by,
    and who a nominee is across plans (decide.nominees): normalise.people's identity_key."""
    return identity_key(*values)


def _agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return all(x == y or not x or not y for x, y in zip(a, b))
