"""Build the typed, concatenated DataFrames that pandera validates, from the workbooks read.

One frame per table sheet with the rows of every file, and one frame of files (one row per file,
the fields of the form sheets). The index is a running row id; `_file` and `_row` keep the source
file and the real Excel row, so a failure maps straight back to a cell. For each field `k` there is
`k` (the normalised value), `k__raw` (the value as typed, as text, for messages) and, for typed
fields, `k__bad` (typed but not parseable). `_sent` is the date a file was sent: its "Ngày gửi", or
where that cannot be read the receipt time real evidence gives (the email's Date, the receipt log),
else nothing: never the as-of date nor a file's modification time; `_sent_from` says which (an
evidence code of model.words). The texts of a `longtext` column (a summary) are held packed from
model.packed.PACK_FROM characters on, `k` and `k__raw` both: read them through model.packed. Harmless normalisations (NFD, case, spaces, tone
placement, legacy TCVN3/VNI text, text dates) are applied here and recorded as `info` findings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..normalise import legacy, text
from ..normalise.matching import UnitIndex
from ..read.workbook import WorkbookData
from ..model.findings import Cell, Finding, cell_ref
from ..model.packed import pack
from ..model.words import EVIDENCE_SENT
from ..ruleset.spec import FieldSpec, RuleSet
from ..normalise.values import as_text, is_blank, parse_date, parse_period, parse_whole, parse_year
from .messages import check_of_kind, finding

# The harmless changes a unit is told about (check kinds of the rules file's normalisation rule).
NOTE_KINDS = ("normalised", "text_date", "legacy_text")
# Texts shorter than this are held once per chunk of rows (table_frame): the recurring ones are all
# short (list values, names, positions, dates typed as text); a long summary rarely repeats.
SHARED_UP_TO = 100


class ListIndex:
    """Each value list with its aliases, for matching a cell to its canonical value."""

    def __init__(self, rules: RuleSet):
        self.exact: dict[str, dict[str, str]] = {}
        self.loose: dict[str, dict[str, str]] = {}
        for name, items in rules.lists.items():
            exact, loose = {}, {}
            for item in items:
                exact[item.value] = item.value
                loose[text.list_key(item.value)] = item.value
                for alias in item.aliases:
                    exact.setdefault(alias, item.value)
                    loose.setdefault(text.list_key(alias), item.value)
            self.exact[name], self.loose[name] = exact, loose

    def canonical(self, list_name: str, value: str) -> tuple[str, bool]:
        """(canonical value or the value itself, whether it differs other than by a declared alias)."""
        hit = self.exact[list_name].get(value)
        if hit is not None:
            return hit, False
        hit = self.loose[list_name].get(text.list_key(value))
        if hit is not None:
            return hit, True
        return value, False


@dataclass(frozen=True)
class Receipt:
    """When a file was received, as real evidence shows it: the email's Date or the receipt log."""

    day: dt.date
    evidence: str | None  # a code of model.words.EVIDENCE_WORDS


@dataclass
class Frames:
    """What validation works on."""

    books: list[WorkbookData]  # index = `_file`
    tables: dict[str, pd.DataFrame]  # sheet key -> rows of every file
    files: pd.DataFrame  # one row per readable file
    info: list[Finding]  # harmless normalisations
    units: UnitIndex


def build_frames(books: list[WorkbookData], rules: RuleSet, receipts: dict[int, Receipt | None],
                 first: int = 0) -> Frames:
    """Turn the readable books into frames; `receipts[i]` stands for input i's sending date when its
    "Ngày gửi" is missing or invalid (None: no evidence, the checks against it are left out). `first`
    is the index of books[0] among all inputs, so frames built in parts (one per worker chunk) can be
    concatenated."""
    units, lists = UnitIndex(rules), ListIndex(rules)
    builder = _Builder(rules, units, lists)
    files = builder.files_frame(books, receipts, first)
    tables = {}
    for spec in rules.sheets:
        if spec.kind == "table":
            tables[spec.key] = builder.table_frame(books, spec, files, first)
    return Frames(books, tables, files, builder.info, units)


def form_text(row: "pd.Series | dict", key: str | None) -> str | None:
    """A form field's normalised text in a row of the files frame; None if blank, not understood
    (a unit not matched, a period not parsed) or not a field of the rules."""
    value = row.get(key) if key else None
    return value if isinstance(value, str) else None


def concat_frames(parts: list[Frames], books: list[WorkbookData]) -> Frames:
    """Join frames built in parts, in input order; the index becomes one running row id again.

    The parts' tables are consumed: each part's columns copied out and the part's frame let go,
    then joined a column at a time, each column's pieces dropped once joined, so a city's rows are
    not held twice over (whole-frame concatenation would, while it copies). Not DataFrame.pop
    column by column: each pop rebuilds the frame's column index (0.4 s a part of 200 columns).
    """
    first = parts[0]
    tables = {key: _concat_consuming(parts, key) for key in list(first.tables)}
    files = pd.concat([p.files for p in parts], ignore_index=True)
    info = [f for p in parts for f in p.info]
    return Frames(books, tables, files, info, first.units)


def _concat_consuming(parts: list[Frames], key: str) -> pd.DataFrame:
    columns = list(parts[0].tables[key].columns)
    pieces = []
    for part in parts:
        frame = part.tables.pop(key)
        pieces.append({col: frame[col].copy() for col in columns})
        del frame  # its blocks go now: only the copies hold its rows
    joined = {col: pd.concat([piece.pop(col) for piece in pieces], ignore_index=True) for col in columns}
    return pd.DataFrame(joined, columns=columns, copy=False)


class _Builder:
    def __init__(self, rules: RuleSet, units: UnitIndex, lists: ListIndex):
        self.rules, self.units, self.lists = rules, units, lists
        self.info: list[Finding] = []
        self.notes = {kind: check_of_kind(rules, kind) for kind in NOTE_KINDS}
        self.cache: dict[tuple, tuple[Any, bool, tuple]] = {}

    # -- one value -------------------------------------------------------------------------------

    def normalise(self, spec: FieldSpec, raw: Any, where: Callable[[], tuple[str, str, int, int]],
                  font: str | None = None) -> tuple[Any, bool]:
        """Return (normalised value, is_bad) and record info findings for harmless changes.

        Results are cached per field and value (list values, dates and names of units recur in every
        file); free text is not cached, it rarely repeats.
        """
        if is_blank(raw):
            return None, False
        key = (spec.key, type(raw), raw, font)
        hit = self.cache.get(key) if spec.type not in ("text", "longtext") else None
        if hit is None:
            hit = self.interpret(spec, raw, font)
            if spec.type not in ("text", "longtext") and len(self.cache) < 200_000:
                self.cache[key] = hit
        value, bad, notes = hit
        for kind, shown, expected, extra in notes:
            self.note(kind, where, spec, shown, expected, **extra)
        return value, bad

    def interpret(self, spec: FieldSpec, raw: Any, font: str | None) -> tuple[Any, bool, tuple]:
        """(value, is_bad, notes): what a cell means, and the harmless changes to tell the unit.

        At most one note per cell: a legacy-text repair already tells the unit what was read.
        """
        if spec.type == "date":
            value, how = parse_date(raw)
            note = (("text_date", raw, value.strftime("%d/%m/%Y"), {}),) if how == "converted" and isinstance(raw, str) else ()
            return value, how == "invalid", note
        if spec.type == "year":
            value, how = parse_year(raw)
            return value, how == "invalid", ((("normalised", raw, str(value), {}),) if how == "converted" else ())
        if spec.type == "int":
            value, how = parse_whole(raw)
            return value, how == "invalid" or (value is not None and value < 0), ()
        if spec.type == "period" and not isinstance(raw, str):
            period, how = parse_period(raw, text.strip_diacritics)  # a month Excel turned into a date
            return period, how == "invalid", ()
        original = raw if isinstance(raw, str) else as_text(raw)
        repaired, encoding = legacy.repair_legacy(original, font)
        value = text.clean_text(repaired if encoding else original)
        if value == original:
            value = original  # one string object for both columns, not two equal copies (memory at scale)
        notes = (("legacy_text", original, value, {"encoding": encoding}),) if encoding else ()
        if spec.type == "period":
            period, how = parse_period(value, text.strip_diacritics)
            return period, how == "invalid", notes
        if spec.type == "unit":
            unit = self.units.match(value)
            if unit is not None and not notes and original not in (unit.name, unit.id, *unit.aliases):
                notes = (("normalised", original, unit.name, {}),)
            return (unit.id if unit else None), unit is None, notes
        if spec.type == "list":
            canonical, loose = self.lists.canonical(spec.list, value)
            if not notes and (loose or (original != value and canonical == value)):
                notes = (("normalised", original, canonical, {}),)
            return canonical, False, notes
        if not notes and not text.is_nfc(original):
            notes = (("normalised", original, value, {}),)
        return value, False, notes

    def note(self, kind: str, where, spec: FieldSpec, raw: Any, expected: str, **extra: str) -> None:
        rule, check = self.notes[kind]
        file, sheet, row, col = where()
        value = as_text(raw)
        values = {"cell": cell_ref(row, col) or "", "column": spec.label, "value": value, "expected": expected,
                  "sheet": sheet, "file": file, **extra}
        self.info.append(finding(self.rules, rule, check, Cell(file, sheet, row, col), values=values,
                                 column=spec.label, value=value))

    # -- frames ----------------------------------------------------------------------------------

    def files_frame(self, books: list[WorkbookData], receipts: dict[int, Receipt | None],
                    first: int = 0) -> pd.DataFrame:
        fields = [(sheet_key, spec) for sheet_key, spec in self.rules.form_fields.values()]
        data: dict[str, list] = {"_file": [], "_row": []}
        for _, spec in fields:
            data[spec.key], data[f"{spec.key}__raw"], data[f"{spec.key}__bad"] = [], [], []
        for i, book in enumerate(books, start=first):
            if book.rejected is not None:
                continue
            data["_file"].append(i)
            data["_row"].append(0)
            for sheet_key, spec in fields:
                fv = book.forms.get(sheet_key, {}).get(spec.key)
                raw = fv.value if fv else None
                sheet = book.form_sheets.get(sheet_key, "")
                font = book.fonts.get((sheet, fv.row, fv.col)) if fv else None
                value, bad = self.normalise(spec, raw, lambda b=book, s=sheet, f=fv: (b.name, s, f.row, f.col), font)
                data[spec.key].append(value)
                data[f"{spec.key}__raw"].append(as_text(raw))
                data[f"{spec.key}__bad"].append(bad)
        frame = pd.DataFrame(data)
        frame.index = pd.RangeIndex(len(frame))
        for _, spec in fields:
            if spec.type == "date":
                frame[spec.key] = pd.to_datetime(frame[spec.key], errors="coerce")
            elif spec.type in ("int", "year"):
                frame[spec.key] = pd.to_numeric(frame[spec.key], errors="coerce").astype("float64")
        # The date a submission stands on, for "not after the sending date" checks: "Ngày gửi" if
        # valid, else the receipt time real evidence gives, else none (the check is left out): a
        # stand-in such as the as-of date would report a deed as late by the days the office waited.
        got = [receipts[i] for i in frame["_file"]]
        fallback = pd.to_datetime(pd.Series([r.day if r else None for r in got], index=frame.index,
                                            dtype="object"), errors="coerce")
        source = pd.Series([r.evidence if r else None for r in got], index=frame.index, dtype="object")
        sent, period = self.rules.field_key("sent_date"), self.rules.field_key("period")
        read = frame[sent].notna() if sent in frame else pd.Series(False, index=frame.index)
        frame["_sent"] = frame[sent].where(read, fallback) if sent in frame else fallback
        frame["_sent_from"] = source.where(~read, EVIDENCE_SENT).where(frame["_sent"].notna(), None)
        year = frame[period].map(lambda p: int(p[:4]) if isinstance(p, str) else np.nan) if period in frame else np.nan
        frame["_year"] = pd.Series(year, index=frame.index, dtype="float64").fillna(self.rules.plan.year)
        return frame

    def table_frame(self, books: list[WorkbookData], sheet, files: pd.DataFrame, first: int = 0) -> pd.DataFrame:
        data: dict[str, list] = {"_file": [], "_row": []}
        shared: dict[str, str] = {}  # a short text -> the one object that stands for it in this chunk
        for spec in sheet.fields:
            data[spec.key], data[f"{spec.key}__raw"], data[f"{spec.key}__bad"] = [], [], []
        for i, book in enumerate(books, start=first):
            table = book.tables.get(sheet.key)
            if book.rejected is not None or table is None:
                continue
            data["_file"].extend([i] * len(table.rows))
            data["_row"].extend(table.rows)
            for spec in sheet.fields:
                col = table.columns.get(spec.key)
                raws = table.values.get(spec.key) or [None] * len(table.rows)
                values, raw_texts, bads = data[spec.key], data[f"{spec.key}__raw"], data[f"{spec.key}__bad"]
                packs = spec.type == "longtext"
                for r, raw in zip(table.rows, raws):
                    kind = type(raw)
                    if raw is None or (kind is str and (not raw or raw.isspace())):  # most cells: blank
                        values.append(None)
                        raw_texts.append("")
                        bads.append(False)
                        continue
                    font = book.fonts.get((table.sheet_name, r, col)) if book.fonts else None
                    value, bad = self.normalise(spec, raw, lambda b=book, t=table, r=r, c=col: (b.name, t.sheet_name, r, c), font)
                    # A short text is held once per chunk, however many cells hold it: each cell
                    # read is its own object, and short texts recur in every file ("Cá nhân",
                    # "Phong trào thi đua ..."). A chunk's pickle then carries it once, and the
                    # parent holds one object per chunk: measured, the rows' texts went from 47 to
                    # 35 KiB a file.
                    if type(value) is str and len(value) < SHARED_UP_TO:
                        value = shared.setdefault(value, value)
                    shown = raw if kind is str else as_text(raw)  # (as_text of a text not blank: itself)
                    # A text typed as it is kept (a list value, most names) is held once, not as a
                    # value and a raw copy.
                    if shown == value and isinstance(value, str):
                        shown = value
                    elif len(shown) < SHARED_UP_TO:
                        shown = shared.setdefault(shown, shown)
                    if packs:  # a summary: held packed from here on (model.packed), as typed too
                        packed = pack(value) if type(value) is str else value
                        value, shown = packed, (packed if shown is value else pack(shown))
                    values.append(value)
                    raw_texts.append(shown)
                    bads.append(bad)
        frame = pd.DataFrame(data)
        for spec in sheet.fields:
            if spec.type == "date":
                frame[spec.key] = pd.to_datetime(frame[spec.key], errors="coerce")
            elif spec.type in ("int", "year"):
                frame[spec.key] = pd.to_numeric(frame[spec.key], errors="coerce").astype("float64")
        context = files.set_index("_file")[["_sent", "_sent_from", "_year"]]
        frame = frame.join(context, on="_file")
        frame.index = pd.RangeIndex(len(frame))
        return frame
