"""The office's receipt log: when each file was received, as the office wrote it down (CSV).

Read as offices save it: comma- or semicolon-separated (Excel with Vietnamese regional settings
writes ";"; told apart on the header line), UTF-8 with or without BOM, or Windows-1258 (what
Vietnamese Excel's plain "CSV" writes; its combining tone marks are NFC-normalised). The columns are
named in English (file, received_at) or Vietnamese (Tệp / Tên tệp, Thời điểm nhận / Ngày nhận), any
case, with or without diacritics. A file is named relative to the inbox, with "/" or "\\", and is
matched without regard to case, as Windows (where offices keep their inboxes) opens it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..model.errors import CheckerError
from ..normalise.text import strip_diacritics
from ..ruleset.spec import RuleSet
from .names import shown_text
from .regular import open_listed

__all__ = ["LogRow", "ReceiptLog", "read_receipt_log"]

# Accepted column headers, compared by _header_key (no case, no diacritics, "_" as a space).
FILE_HEADERS = ("file", "Tệp", "Tên tệp")
TIME_HEADERS = ("received_at", "Thời điểm nhận", "Ngày nhận")
# Day-first always; a date alone means the start of that day; a zone (+0700) may follow a time.
FORMATS = ("%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
           "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True)
class LogRow:
    """One row of the log: its line, the file as written (NFC), the time as written and as read."""

    line: int
    file: str
    written: str
    received_at: dt.datetime

    @property
    def shown(self) -> tuple[str, str]:
        """The file and the time as written, made readable for a person (control characters escaped)."""
        return shown_text(self.file), shown_text(self.written)


@dataclass
class ReceiptLog:
    """The log's rows, looked up by file; remembers which rows named a file that was found."""

    rows: list[LogRow]
    _by_key: dict[str, LogRow] = field(default_factory=dict, repr=False)
    _matched: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self):
        for row in self.rows:  # a file logged twice: the later row is the one in force
            self._by_key[path_key(row.file)] = row

    def lookup(self, *names: str) -> LogRow | None:
        """The row of the first of `names` the log has (and mark it matched), else None."""
        for name in names:
            key = path_key(name)
            if key in self._by_key:
                self._matched.add(key)
                return self._by_key[key]
        return None

    def unmatched(self) -> list[LogRow]:
        """Rows (in log order) whose file was never looked up: no such file in the inbox."""
        return [row for row in self.rows if path_key(row.file) not in self._matched]


def path_key(name: str) -> str:
    """A file name as the log and the inbox are compared: NFC, "/" separators, no leading "./",
    case-folded (Windows opens "BC.XLSX" as "bc.xlsx", and so does a clerk)."""
    key = unicodedata.normalize("NFC", name).strip().replace("\\", "/")
    while key.startswith(("./", "/")):
        key = key[2:] if key.startswith("./") else key[1:]
    return key.casefold()


def read_receipt_log(path: Path, rules: RuleSet) -> ReceiptLog:
    """The office's receipt log (local time unless a zone is given).

    A log that cannot be used stops the command (CheckerError, exit 2): the office asked for this
    evidence, so going on without it would silently change statuses."""
    path = Path(path)
    text = _log_text(path, rules.limits.max_file_bytes)
    header = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text), delimiter=";" if header.count(";") > header.count(",") else ",")
    done = 0  # the last line of the last record read whole
    try:
        names = next(reader, [])
        done = reader.line_num
        columns = _columns(names)
        if columns is None:
            shown = sorted({n.strip() for n in names if n.strip()})
            raise _log_error(path, 1, "the receipt log needs the columns 'file' and 'received_at'",
                             "cần hai cột “file” và “received_at” (hoặc “Tên tệp” và “Thời điểm nhận”) ở dòng đầu "
                             f"(đang có: {_quoted(shown) or 'không có cột nào'})")
        rows = []
        for fields in reader:
            done = reader.line_num
            if row := _row(path, reader, fields, columns, rules):
                rows.append(row)
    except csv.Error as exc:  # a field over the csv module's size limit, a stray quote in strict mode
        # The record being read when the error came starts on the line after the last one read.
        raise _log_error(path, done + 1, f"not a readable CSV file: {exc}",
                         "không đọc được dạng CSV ở dòng này: hãy lưu lại sổ dạng CSV rồi chạy lại") from None
    return ReceiptLog(rows)


def _header_key(name: str) -> str:
    return " ".join(strip_diacritics(name).casefold().replace("_", " ").split())


def _columns(names: list[str]) -> tuple[int, int] | None:
    """The positions of the file and time columns in the header, if both are there."""
    keys = [_header_key(n) for n in names]
    found = [next((n for n, k in enumerate(keys) if k in {_header_key(h) for h in wanted}), None)
             for wanted in (FILE_HEADERS, TIME_HEADERS)]
    return None if None in found else (found[0], found[1])


def _row(path: Path, reader, fields: list[str], columns: tuple[int, int], rules: RuleSet) -> LogRow | None:
    values = [(fields[c] if c < len(fields) else "").strip() for c in columns]
    if not any(f.strip() for f in fields):  # Excel saves a blank row as ";": nothing written there
        return None
    file, value = values
    moment = _parse_moment(value)
    try:
        local = rules.deadlines.to_local(moment) if moment is not None else None
    except (OverflowError, ValueError):  # 9999-12-31 23:59 -0500 is past the last datetime
        local = None
    if local is None:
        raise _log_error(path, reader.line_num, f"received_at {value!r} is not a usable moment",
                         f"thời điểm nhận {_quoted([value])} không đúng dạng YYYY-MM-DD HH:MM hoặc "
                         "DD/MM/YYYY HH:MM: hãy sửa dòng này rồi chạy lại")
    return LogRow(reader.line_num, file, value, local)


def _log_text(path: Path, max_bytes: int) -> str:
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):  # a FIFO would block forever, a device never end
            raise _log_error(path, None, "the receipt log is not a regular file",
                             "không phải tệp thông thường: hãy chọn một tệp CSV")
        if st.st_size > max_bytes:
            raise _log_error(path, None, f"the receipt log is larger than {max_bytes} bytes",
                             f"tệp quá lớn ({st.st_size:,} byte, giới hạn {max_bytes:,} byte)")
        with open_listed(str(path), st, follow=True) as fh:
            data = fh.read()
    except OSError as exc:
        raise _log_error(path, None, f"cannot read the receipt log: {exc}",
                         f"không đọc được tệp ({type(exc).__name__}): hãy kiểm tra đường dẫn rồi chạy lại") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Not UTF-8: Vietnamese Excel's "CSV" is Windows-1258, which spells tones as combining marks.
        try:
            text = data.decode("cp1258")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise _log_error(path, line, f"neither UTF-8 nor cp1258 at byte {exc.start}",
                             "không phải văn bản UTF-8 hay Windows-1258: hãy lưu lại dạng “CSV UTF-8” rồi chạy lại"
                             ) from None
    return unicodedata.normalize("NFC", text)


def _log_error(path: Path, line: int | None, detail: str, message: str) -> CheckerError:
    where = f"{path}" + (f":{line}" if line else "")
    return CheckerError(f"{where}: {detail}", message=f"Sổ nhận văn bản {shown_text(where)}: {message}.")


def _quoted(values: list[str]) -> str:
    # Values echoed from the log are cut short and made shown_text: a message is one readable line.
    return ", ".join(f"“{shown_text(v[:60])}{'…' if len(v) > 60 else ''}”" for v in values)


def _parse_moment(value: str) -> dt.datetime | None:
    for fmt in FORMATS:
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None
