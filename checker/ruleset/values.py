"""Typed values of a rules file: each reader checks one value's type and range or fails with its line.

`TypedValues` is the base of the loader's section builders (ruleset.build_*): a mapping with known
keys, a text, a name, a choice, a date, a number, a boolean, a list of texts. Every problem is a
RuleFileError naming the file, the place (`plan.start`, `rules[3] (DN-TEN).min`) and the YAML line.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

from ..model.errors import RuleFileError
from .strict_yaml import _line, found, rule_error, shown

MAX_TEXT = 10_000  # characters of any one text (well under Excel's 32,767 a cell)
# Dates in a rules file: anything outside is a typo, and date arithmetic near year 9999 overflows.
FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
# Keys of sheets and fields and names of lists: lower-case ASCII words joined by single '_' (they
# name DataFrame columns, and ntvt's own columns start with '_' or contain '__').
NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
MAX_NAME = 40

_MISSING = object()


class TypedValues:
    """Reads typed values out of the parsed YAML of one rules file."""

    def __init__(self, path: Path, data: Any):
        self.path, self.data = path, data

    def fail(self, where: str, problem: str, node: Any = None, key: Any = None, said: str | None = None) -> RuleFileError:
        """The error for `where`; `said` is the problem in Vietnamese (what was expected, what was
        found, what to do), `problem` the English detail for the log."""
        return rule_error(self.path, where, problem, _line(node, key), said)

    def sections(self, node: Any, top: dict, key: str) -> list:
        """A top-level list that must hold at least one entry (units, rules)."""
        if not isinstance(node, list) or not node:
            raise self.fail(key, f"expected a non-empty list of {key}, found {_kind(node)}", top, key,
                            f"“{key}” cần là một danh sách có ít nhất một mục (mỗi mục một dòng bắt đầu bằng “- ”), "
                            f"nhưng {found(node)}: hãy thêm các mục")
        return node

    def mapping(self, node: Any, where: str, required: set[str], optional: set[str] = frozenset(),
                parent: Any = None, key: Any = None) -> dict:
        if not isinstance(node, dict):
            raise self.fail(where, f"expected a mapping, found {_kind(node)}", node if parent is None else parent, key,
                            f"mục này cần là một nhóm khóa (mỗi dòng “khóa: giá trị”, thụt lề sâu hơn dòng của mục), "
                            f"nhưng {found(node)}: hãy viết lại theo mẫu của tệp quy tắc kèm theo")
        unknown = sorted(set(node) - required - set(optional))
        if unknown:
            allowed = ", ".join(sorted(required | set(optional)))
            raise self.fail(where, f"unknown key {shown(unknown[0])} (allowed: {allowed})", node, unknown[0],
                            f"không có khóa “{unknown[0]}” ở chỗ này (các khóa dùng được: {allowed}): hãy sửa tên "
                            "khóa nếu gõ nhầm, thụt lề lại nếu khóa thuộc mục khác, hoặc xóa dòng này")
        missing = sorted(required - set(node))
        if missing:
            raise self.fail(where, f"missing key {missing[0]!r}", node, None,
                            f"thiếu khóa bắt buộc “{missing[0]}” (các khóa bắt buộc ở đây: {', '.join(sorted(required))}): "
                            f"hãy thêm dòng “{missing[0]}: …” vào mục này")
        return node

    def text(self, node: dict, key: str, where: str, default: Any = None, limit: int = MAX_TEXT) -> str:
        value = node.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}", f"expected non-empty text, found {shown(value)}", node, key,
                            f"“{key}” cần là một đoạn chữ, nhưng {found(value)}: hãy ghi nội dung"
                            + (f" (dòng “{key}: …”)" if key not in node else ""))
        if len(value) > limit:
            raise self.fail(f"{where}.{key}", f"expected at most {limit:,} characters, found {len(value):,}", node, key,
                            f"“{key}” dài {_num(len(value))} ký tự, quá giới hạn {_num(limit)} ký tự: hãy rút gọn")
        return " ".join(value.split()) if "\n" in value else value

    def name(self, node: dict, key: str, where: str, what: str) -> str:
        """A key or list name: lower-case ASCII words joined by '_' (e.g. birth_year)."""
        value = node.get(key)
        if not isinstance(value, str) or len(value) > MAX_NAME or not NAME.fullmatch(value):
            raise self.fail(f"{where}.{key}", f"a {what} is lower-case ASCII words joined by '_', at most "
                                              f"{MAX_NAME} characters (e.g. birth_year), found {shown(value)}",
                            node, key, f"“{key}” cần là một tên viết bằng chữ thường không dấu, các từ nối bằng “_”, "
                                       f"tối đa {MAX_NAME} ký tự (ví dụ nam_sinh), nhưng {found(value)}: hãy đặt lại tên")
        return value

    def choice(self, node: dict, key: str, where: str, allowed: Any, what: str) -> str:
        value = node.get(key)
        if not isinstance(value, str) or value not in allowed:
            listed = ", ".join(sorted(allowed))
            raise self.fail(f"{where}.{key}", f"unknown {what} {shown(value)} (allowed: {listed})", node, key,
                            f"“{key}” phải là một trong: {listed}, nhưng {found(value)}: hãy chọn một giá trị trong đó")
        return value

    def date(self, node: dict, key: str, where: str, value: Any = _MISSING, index: Any = None) -> dt.date:
        value = node.get(key) if value is _MISSING else value
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise self.fail(f"{where}.{key}", f"expected a date YYYY-MM-DD, found {shown(value)}",
                            node if index is None else node[key], key if index is None else index,
                            f"“{key}” cần là một ngày dạng năm-tháng-ngày, không có ngoặc kép (ví dụ 2023-05-01), "
                            f"nhưng {found(value)}: hãy viết lại ngày")
        if not FIRST_DATE <= value <= LAST_DATE:
            raise self.fail(f"{where}.{key}", f"expected a date from {FIRST_DATE} to {LAST_DATE}, found {value}",
                            node if index is None else node[key], key if index is None else index,
                            f"“{key}” cần là một ngày từ {FIRST_DATE} đến {LAST_DATE}, nhưng {found(value)}: "
                            "hãy kiểm tra lại năm")
        return value

    def number(self, node: dict, key: str, where: str, low: float, high: float, whole: bool = True,
               default: Any = _MISSING) -> Any:
        """A number in [low, high]: an int if `whole`, else an int or a finite float; never a bool
        (YAML's yes/no/on/off are bools) nor a text."""
        value = node.get(key, default)
        kinds = int if whole else (int, float)
        ok = isinstance(value, kinds) and not isinstance(value, bool) and (whole or math.isfinite(value))
        if not ok or not low <= value <= high:
            expected = (f"a whole number from {_num(low)} to {_num(high)}" if whole
                        else f"a number from {low:g} to {high:g}")
            said = (f"một số nguyên từ {_num(low, '.')} đến {_num(high, '.')}" if whole
                    else f"một số từ {low:g} đến {high:g}".replace(".", ","))
            raise self.fail(f"{where}.{key}", f"expected {expected}, found {shown(value)}", node, key,
                            f"“{key}” cần là {said}, nhưng {found(value)}: hãy ghi lại số, không có ngoặc kép")
        return value

    def boolean(self, node: dict, key: str, where: str) -> bool:
        value = node.get(key)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", f"expected true or false, found {shown(value)}", node, key,
                            f"“{key}” cần là true (có) hoặc false (không), nhưng {found(value)}: hãy ghi true hoặc false")
        return value

    def strings(self, node: dict, key: str, where: str, default: Any = None) -> tuple[str, ...]:
        value = node.get(key, default)
        if not isinstance(value, list):
            raise self.fail(f"{where}.{key}", f"expected a list of texts, found {shown(value)}", node, key,
                            f"“{key}” cần là một danh sách các đoạn chữ, ví dụ [Có, Không], "
                            f"nhưng {found(value)}: hãy viết lại dạng danh sách")
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip() or len(item) > MAX_TEXT:
                hint = " (a version or code such as 2023.0 needs quotes)" if isinstance(item, (int, float)) else ""
                said_hint = " (một mã như 2023.0 cần đặt trong ngoặc kép để được đọc là chữ)" if hint else ""
                raise self.fail(f"{where}.{key}[{i}]", f"expected a list of texts, found {shown(item)}{hint}",
                                value, i, f"mục thứ {i + 1} của “{key}” cần là một đoạn chữ không rỗng, nhưng "
                                          f"{found(item)}{said_hint}: hãy sửa mục này")
        return tuple(value)


def _num(n: int, thousands: str = ",") -> str:
    """50,000 (English, the log) or 50.000 (Vietnamese), but 2099: a year."""
    return f"{n:,}".replace(",", thousands) if abs(n) >= 10_000 else str(n)


def _kind(value: Any) -> str:
    """What was found, for an 'expected a list' message: the type, and the value if it is short."""
    if isinstance(value, (dict, list)):
        return f"a {'mapping' if isinstance(value, dict) else 'list'} of {len(value)}"
    return f"{type(value).__name__} {shown(value)}"
