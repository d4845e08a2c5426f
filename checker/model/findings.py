"""Findings and reports: the values every check produces. Imports nothing from checker but its words."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, Iterable, Union

from .words import SEVERITY_WORDS


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        """The Vietnamese word users read, in lower case."""
        return SEVERITY_WORDS[self.value]

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


# A blank value in a message: "nhận được “…”" becomes "ô đang để trống" ("the cell is empty"), a
# quoted one elsewhere "ô trống", not an empty pair of quotes.
BLANK = "\x00"
_BLANK_WORDS = ((f"nhận được “{BLANK}”", "ô đang để trống"), (f"“{BLANK}”", "ô trống"))


def fill(template: str, args: tuple) -> str:
    """A message's text from its positional template ("{0} … {1}") and values (BLANK for a blank value)."""
    text = template.format(*args)
    if BLANK in text:
        for blank, words in _BLANK_WORDS:
            text = text.replace(blank, words)
    return text


def ordered(findings: Iterable["Finding"], *, severity_first: bool = False) -> list["Finding"]:
    """The findings as every list shows them: by Finding.sort_key (after the severity, worst first,
    if `severity_first`). Only findings alike in everything but their text have their texts made
    to be compared: making every text at once, for the keys, would hold a city's messages again."""
    place = (lambda f: (f.severity.rank, *f.place_key())) if severity_first else Finding.place_key
    findings = list(findings)
    keys = [place(f) for f in findings]
    order = sorted(range(len(findings)), key=keys.__getitem__)  # stable: alike, they keep their order
    out, keys = [findings[i] for i in order], [keys[i] for i in order]
    start = 0
    for end in range(1, len(out) + 1):
        if end == len(out) or keys[end] != keys[start]:
            if end - start > 1:
                out[start:end] = sorted(out[start:end], key=lambda f: f.text)
            start = end
    return out


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int | None, col: int | None) -> str | None:
    return f"{column_letter(col)}{row}" if row and col else None


# -- where a finding is ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class File:
    """A whole input file (it could not be read, or lacks something no cell holds)."""

    file: str  # display name: the relative path inside the inbox, or the path given


@dataclass(frozen=True, slots=True)
class Sheet:
    """A sheet of an input file, or one of its columns (a missing column, a sheet-wide count)."""

    file: str
    sheet: str | None  # None where the sheet itself is missing


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell of an input file, by Excel's 1-based row and column numbers."""

    file: str
    sheet: str
    row: int
    col: int


@dataclass(frozen=True, slots=True)
class UnitCycle:
    """A unit's standing in the campaign: one reporting cycle ("YYYY-MM"), or the whole campaign (None)."""

    unit: str  # the unit's id
    cycle: str | None = None


Location = Union[File, Sheet, Cell, UnitCycle]


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One problem (or harmless change) found in an input, traceable to where it is."""

    rule_id: str
    code: str  # the check kind, or a reading code such as unreadable_file, legacy_text
    severity: Severity
    where: Location
    column: str | None = None  # the column's (or form field's) label as in the template
    value: str | None = None  # the value as read, as text
    # Vietnamese: where, what was expected, what was found (`text`), kept as its wording and what
    # fills it: a positional template shared by every finding of its check, and the values. A
    # city's 270,000 texts, made as the findings were, were a quarter of what a consolidation held
    # once validated; each is made again where it is read (one sheet row, one letter, one line).
    template: str
    args: tuple = ()
    clause: str  # the plan clause, e.g. "Mục V"
    # What the message ends with: the clause in words, "(Căn cứ: …)". Kept apart so that one string
    # per rule is shared by all its findings (a city's 270,000 messages would each repeat it).
    citation: str = ""

    @property
    def text(self) -> str:
        """The message's words without the clause they rest on."""
        return fill(self.template, self.args)

    @property
    def message(self) -> str:
        """The whole message, as people read it: the text and the clause it rests on."""
        return self.text + self.citation

    @property
    def file(self) -> str | None:
        """The input file, or None for a campaign finding (it is about a unit, not a file)."""
        return getattr(self.where, "file", None)

    @property
    def sheet(self) -> str | None:
        return getattr(self.where, "sheet", None)

    @property
    def row(self) -> int | None:
        return getattr(self.where, "row", None)

    @property
    def col(self) -> int | None:
        return getattr(self.where, "col", None)

    @property
    def unit(self) -> str | None:
        return getattr(self.where, "unit", None)

    @property
    def cycle(self) -> str | None:
        return getattr(self.where, "cycle", None)

    @property
    def cell(self) -> str | None:
        return cell_ref(self.row, self.col)

    def place_key(self) -> tuple:
        """Campaign findings first (file ""), then by file, sheet, cell, rule and code: how lists
        order findings (`ordered`), their texts telling apart only those alike in all of these."""
        return (self.file or "", self.sheet or "", self.row or 0, self.col or 0, self.rule_id, self.code)

    def sort_key(self) -> tuple:
        # The text, not the message: the citation follows from rule_id. For one finding; a list is
        # sorted by `ordered`, which makes the texts only of findings alike in everything else.
        return (*self.place_key(), self.text)

    def to_dict(self) -> dict[str, Any]:
        d = {"rule_id": self.rule_id, "code": self.code, "severity": self.severity.value, "file": self.file,
             "sheet": self.sheet, "row": self.row, "col": self.col, "cell": self.cell, "column": self.column,
             "value": self.value, "clause": self.clause, "message": self.message}
        if isinstance(self.where, UnitCycle):
            d.update(unit=self.unit, cycle=self.cycle)
        return d


@dataclass
class FileResult:
    """What happened to one input file."""

    name: str  # display name (relative path inside the inbox, or the path given)
    sha256: str
    status: str  # "checked" | "rejected" | "generated" (ntvt's own file, not read)
    reason: str | None = None  # Vietnamese, for rejected files
    unit_id: str | None = None
    unit_name: str | None = None
    period: str | None = None  # "YYYY-MM" for monthly reports
    report_type: str | None = None
    sent_date: str | None = None  # ISO date from "Ngày gửi"
    rows: dict[str, int] = field(default_factory=dict)  # sheet key -> data rows read
    valid_nominations: int = 0
    template_version: str | None = None
    sender: str | None = None
    received_at: str | None = None  # ISO datetime in local (Hanoi) time
    evidence: str | None = None  # what the receipt time rests on


@dataclass
class Report:
    """The findings of one run, sorted, with the files they came from."""

    findings: list[Finding] = field(default_factory=list)
    files: list[FileResult] = field(default_factory=list)

    def sort(self) -> "Report":
        self.findings[:] = ordered(self.findings)
        return self

    @property
    def valid(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def counts(self) -> dict[str, int]:
        return {s.value: sum(f.severity is s for f in self.findings) for s in Severity}

    def for_file(self, name: str) -> list[Finding]:
        return [f for f in self.findings if f.file == name]

    def flatten(self, fields: Iterable[str] = ("cell", "rule_id")) -> list[tuple]:
        """Findings as tuples of the named attributes, for terse exact test asserts."""
        fields = tuple(fields)
        return [tuple(getattr(f, name) for name in fields) for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "counts": self.counts,
            "files": [asdict(f) for f in self.files],
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_json(self) -> str:
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True)
        # Vietnamese stays readable (ensure_ascii=False), but json leaves DEL, the C1 controls (\x9b is an
        # 8-bit CSI) and the bidi overrides raw: a terminal would obey them. As \uXXXX they are still JSON.
        return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
