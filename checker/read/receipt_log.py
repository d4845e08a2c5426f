"""The office's receipt log: when each file was received, as the office wrote it down (CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import stat
import unicodedata
from pathlib import Path

from ..model.errors import CheckerError
from ..ruleset.spec import RuleSet
from .names import shown_text
from .regular import open_listed


def read_receipt_log(path: Path, rules: RuleSet) -> dict[str, dt.datetime]:
    """The office's receipt log: CSV with columns file, received_at (local time unless a zone is given).

    A log that cannot be used stops the command (CheckerError, exit 2): the office asked for this
    evidence, so going on without it would silently change statuses."""
    path = Path(path)
    text = _log_text(path, rules.limits.max_file_bytes)
    reader = csv.DictReader(io.StringIO(text))
    try:
        names = {f.strip() for f in reader.fieldnames or ()}
        if not {"file", "received_at"} <= names:
            raise _log_error(path, 1, "the receipt log needs the columns 'file' and 'received_at'",
                             "cần hai cột “file” và “received_at” ở dòng đầu "
                             f"(đang có: {_quoted(sorted(names)) or 'không có cột nào'})")
        out = {}
        for row in reader:
            # Extra fields land under the key None as a list: they are not ours to read.
            row = {k.strip(): (v or "").strip() for k, v in row.items() if isinstance(k, str)}
            value = row.get("received_at", "")
            moment = _parse_moment(value)
            try:
                local = rules.deadlines.to_local(moment) if moment is not None else None
            except (OverflowError, ValueError):  # 9999-12-31 23:59 -0500 is past the last datetime
                local = None
            if local is None:
                raise _log_error(path, reader.line_num, f"received_at {value!r} is not a usable moment",
                                 f"thời điểm nhận {_quoted([value])} không đúng dạng YYYY-MM-DD HH:MM hoặc "
                                 "DD/MM/YYYY HH:MM: hãy sửa dòng này rồi chạy lại")
            out[unicodedata.normalize("NFC", row.get("file", "")).replace("\\", "/")] = local
    except csv.Error as exc:  # a field over the csv module's size limit, a stray quote in strict mode
        # The record being read when the error came starts on the line after the last one read.
        raise _log_error(path, reader.line_num + 1, f"not a readable CSV file: {exc}",
                         "không đọc được dạng CSV ở dòng này: hãy lưu lại sổ dạng CSV rồi chạy lại") from None
    return out


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
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _log_error(path, line, f"not UTF-8 at byte {exc.start}",
                         "không phải văn bản UTF-8: hãy lưu lại dạng “CSV UTF-8” rồi chạy lại") from None


def _log_error(path: Path, line: int | None, detail: str, message: str) -> CheckerError:
    where = f"{path}" + (f":{line}" if line else "")
    return CheckerError(f"{where}: {detail}", message=f"Sổ nhận văn bản {shown_text(where)}: {message}.")


def _quoted(values: list[str]) -> str:
    # Values echoed from the log are cut short and made shown_text: a message is one readable line.
    return ", ".join(f"“{shown_text(v[:60])}{'…' if len(v) > 60 else ''}”" for v in values)


def _parse_moment(value: str) -> dt.datetime | None:
    for fmt in ("%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None
