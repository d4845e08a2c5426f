"""A consolidated workbook ntvt wrote, read back for `ntvt verify`: its mark, the digests it stores
(model/marks.DIGEST_PROPERTY) beside those of its cells as they are now (read/cell_digest), the
files of the inbox it claims ("Tệp đã nhận") and the rules file it names ("Quy tắc")."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import python_calamine

from ..model.errors import CheckerError
from ..model.marks import DIGEST_PROPERTY, WORKBOOK_PROPERTY
from ..model.words import KIND_ATTACHMENT, KIND_LOG_ONLY, MANIFEST_CLAIM, RULES_LINE
from .cell_digest import sheet_digests
from .xlsx_scan import custom_property

HEAD_ROWS = 10  # rows of a sheet looked at for the list's header or the rules line
MOST_SHEETS = 4096  # digest properties looked for: a handful, more with long sheets continued
_RULES = re.compile(re.escape(RULES_LINE).replace(r"\{name\}", "(?P<name>.*)").replace(r"\{sha256\}",
                                                                                      "(?P<sha>[0-9a-f]{64})"))


@dataclass(frozen=True)
class WrittenBook:
    mark: str | None  # ntvt's mark (model/marks), None when the workbook has none
    stored: dict[str, str]  # sheet name -> the digest ntvt stored when it wrote the workbook
    found: dict[str, str | None]  # sheet name -> the digest of its cells now (None: no such sheet)
    inputs: list[tuple[str, str]]  # (name, SHA-256) of every entry of the inbox, as claimed
    rules: tuple[str, str] | None  # (file name, SHA-256) of the rules file, as claimed


def read_written(path: Path) -> WrittenBook:
    """Raises CheckerError (with its Vietnamese words) when the file cannot be read as an .xlsx."""
    try:
        with zipfile.ZipFile(path) as zf:
            mark = custom_property(zf, WORKBOOK_PROPERTY)
            stored = {}
            for n in range(1, MOST_SHEETS + 1):
                value = custom_property(zf, f"{DIGEST_PROPERTY} {n}")
                if value is None:
                    break
                name, _, digest = value.rpartition("|")
                stored[name] = digest
        found = sheet_digests(path, stored)
        inputs, rules = _claim(path)
    except (OSError, zipfile.BadZipFile, python_calamine.CalamineError, ValueError) as exc:
        raise CheckerError(f"cannot read {path}: {type(exc).__name__}: {exc}",
                           message=f"Không đọc được “{path}” như một bảng tính .xlsx: hãy chỉ đúng bảng tổng hợp "
                                   f"ntvt đã ghi (tệp .xlsx).") from exc
    return WrittenBook(mark, stored, found, inputs, rules)


def _claim(path: Path) -> tuple[list[tuple[str, str]], tuple[str, str] | None]:
    """The inbox's entries (not an email's attachments nor the receipt log's own rows) and the rules
    file, wherever in the workbook they are listed."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    inputs: list[tuple[str, str]] = []
    rules = None
    try:
        for name in book.sheet_names:
            listing = False
            for n, row in enumerate(book.get_sheet_by_name(name).iter_rows()):
                if n >= HEAD_ROWS and not listing:
                    break  # the list's header and the rules line are in a sheet's first rows
                first = [str(v) for v in row[:3]] + [""] * (3 - len(row[:3]))
                if tuple(first) == MANIFEST_CLAIM:
                    listing = True
                elif listing and first[0] and first[1] not in (KIND_ATTACHMENT, KIND_LOG_ONLY):
                    inputs.append((first[0], first[2]))
                elif rules is None and (hit := _RULES.fullmatch(first[0])):
                    rules = (hit["name"], hit["sha"])
    finally:
        book.close()
    return inputs, rules
