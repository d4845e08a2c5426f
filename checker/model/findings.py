"""Findings and reports: the values every check produces. Imports nothing from the rest of checker."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, Iterable


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        """The Vietnamese word users read."""
        return {"error": "lỗi", "warning": "cảnh báo", "info": "thông tin"}[self.value]

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int | None, col: int | None) -> str | None:
    return f"{column_letter(col)}{row}" if row and col else None


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem (or harmless change) found in an input, traceable to file, sheet and cell."""

    rule_id: str
    code: str  # the check kind, or a reading code such as unreadable_file, legacy_text
    severity: Severity
    file: str
    sheet: str | None
    row: int | None  # Excel row number (1-based), None for file- or sheet-level findings
    col: int | None  # Excel column number (1-based)
    column: str | None  # the column's label as in the template
    value: str | None  # the value as read, as text
    text: str  # Vietnamese: where, what was expected, what was found
    clause: str  # the plan clause, e.g. "Mục V"
    # What the message ends with: the clause in words, "(Căn cứ: …)". Kept apart so that one string
    # per rule is shared by all its findings (a city's 270,000 messages would each repeat it).
    citation: str = ""

    @property
    def message(self) -> str:
        """The whole message, as people read it: the text and the clause it rests on."""
        return self.text + self.citation

    @property
    def cell(self) -> str | None:
        return cell_ref(self.row, self.col)

    def sort_key(self) -> tuple:
        # The text, not the message: the citation follows from rule_id, and joining it here would
        # build a copy of every message while a city's findings are sorted.
        return (self.file, self.sheet or "", self.row or 0, self.col or 0, self.rule_id, self.code, self.text)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        del d["text"], d["citation"]
        d["message"] = self.message
        d["severity"] = self.severity.value
        d["cell"] = self.cell
        return d


@dataclass
class FileResult:
    """What happened to one input file."""

    name: str  # display name (relative path inside the inbox, or the path given)
    sha256: str
    status: str  # "checked" | "rejected"; consolidation adds "used" | "superseded"
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
        self.findings.sort(key=Finding.sort_key)
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
