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
from .strict_yaml import _line, shown

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

    def fail(self, where: str, problem: str, node: Any = None, key: Any = None) -> RuleFileError:
        return RuleFileError(self.path, where, problem, _line(node, key))

    def sections(self, node: Any, top: dict, key: str) -> list:
        """A top-level list that must hold at least one entry (units, rules)."""
        if not isinstance(node, list) or not node:
            raise self.fail(key, f"expected a non-empty list of {key}, found {_kind(node)}", top, key)
        return node

    def mapping(self, node: Any, where: str, required: set[str], optional: set[str] = frozenset(),
                parent: Any = None, key: Any = None) -> dict:
        if not isinstance(node, dict):
            raise self.fail(where, f"expected a mapping, found {_kind(node)}", node if parent is None else parent, key)
        unknown = sorted(set(node) - required - set(optional))
        if unknown:
            raise self.fail(where, f"unknown key {shown(unknown[0])} "
                                   f"(allowed: {', '.join(sorted(required | set(optional)))})", node, unknown[0])
        missing = sorted(required - set(node))
        if missing:
            raise self.fail(where, f"missing key {missing[0]!r}", node)
        return node

    def text(self, node: dict, key: str, where: str, default: Any = None, limit: int = MAX_TEXT) -> str:
        value = node.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}", f"expected non-empty text, found {shown(value)}", node, key)
        if len(value) > limit:
            raise self.fail(f"{where}.{key}", f"expected at most {limit:,} characters, found {len(value):,}", node, key)
        return " ".join(value.split()) if "\n" in value else value

    def name(self, node: dict, key: str, where: str, what: str) -> str:
        """A key or list name: lower-case ASCII words joined by '_' (e.g. birth_year)."""
        value = node.get(key)
        if not isinstance(value, str) or len(value) > MAX_NAME or not NAME.fullmatch(value):
            raise self.fail(f"{where}.{key}", f"a {what} is lower-case ASCII words joined by '_', at most "
                                              f"{MAX_NAME} characters (e.g. birth_year), found {shown(value)}",
                            node, key)
        return value

    def choice(self, node: dict, key: str, where: str, allowed: Any, what: str) -> str:
        value = node.get(key)
        if not isinstance(value, str) or value not in allowed:
            raise self.fail(f"{where}.{key}", f"unknown {what} {shown(value)} (allowed: {', '.join(sorted(allowed))})",
                            node, key)
        return value

    def date(self, node: dict, key: str, where: str, value: Any = _MISSING, index: Any = None) -> dt.date:
        value = node.get(key) if value is _MISSING else value
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise self.fail(f"{where}.{key}", f"expected a date YYYY-MM-DD, found {shown(value)}",
                            node if index is None else node[key], key if index is None else index)
        if not FIRST_DATE <= value <= LAST_DATE:
            raise self.fail(f"{where}.{key}", f"expected a date from {FIRST_DATE} to {LAST_DATE}, found {value}",
                            node if index is None else node[key], key if index is None else index)
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
            raise self.fail(f"{where}.{key}", f"expected {expected}, found {shown(value)}", node, key)
        return value

    def boolean(self, node: dict, key: str, where: str) -> bool:
        value = node.get(key)
        if not isinstance(value, bool):
            raise self.fail(f"{where}.{key}", f"expected true or false, found {shown(value)}", node, key)
        return value

    def strings(self, node: dict, key: str, where: str, default: Any = None) -> tuple[str, ...]:
        value = node.get(key, default)
        if not isinstance(value, list):
            raise self.fail(f"{where}.{key}", f"expected a list of texts, found {shown(value)}", node, key)
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip() or len(item) > MAX_TEXT:
                hint = " (a version or code such as 2023.0 needs quotes)" if isinstance(item, (int, float)) else ""
                raise self.fail(f"{where}.{key}[{i}]", f"expected a list of texts, found {shown(item)}{hint}",
                                value, i)
        return tuple(value)


def _num(n: int) -> str:
    return f"{n:,}" if abs(n) >= 10_000 else str(n)  # 50,000 but 2099, a year


def _kind(value: Any) -> str:
    """What was found, for an 'expected a list' message: the type, and the value if it is short."""
    if isinstance(value, (dict, list)):
        return f"a {'mapping' if isinstance(value, dict) else 'list'} of {len(value)}"
    return f"{type(value).__name__} {shown(value)}"
