"""Load and strictly validate a rules file (YAML) into frozen dataclasses.

The rules file is the single source of the plan's facts: period, cycles, deadlines, units, value
lists, template sheets and columns, and every rule with its clause and Vietnamese message. Loading
is strict: an unknown key, a duplicate rule id, a reference to a missing list or column, a malformed
date or a message naming an unknown placeholder is a RuleFileError naming the file, place and line.
No pandas here.

A rules file is also untrusted input (it may come by mail, or be edited by hand): every problem in it
ends as a RuleFileError, in bounded time and memory. The file's size, the nesting depth and the
number of YAML nodes are capped before anything is built; anchors, aliases, merge keys and unusual
tags are refused (no alias bomb can expand); every number has a type and a range; message templates
may hold plain `{name}` placeholders only; unit ids are safe as Windows file names; and a value
echoed in an error message is cut to a few dozen characters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import re
import stat
import string
import sys
from pathlib import Path
from typing import Any

from ..model.errors import RuleFileError
from .spec import (CheckSpec, Condition, ConsolidationInfo, Deadlines, FieldSpec, Limits, ListItem, Plan, Rule,
                   RuleSet, SheetSpec, TemplateInfo, Unit)
from .roles import FIELD_ROLES, SHEET_ROLES
from .strict_yaml import MAX_SHOWN, _line, _Map, _Seq, parse, shown

SEVERITIES = ("error", "warning", "info")
LEVELS = ("row", "file", "campaign")
FIELD_TYPES = ("text", "longtext", "date", "year", "int", "list", "unit", "period")
POLICIES = ("strict_before", "inclusive", "inclusive_roll_forward")
DATE_REFERENCES = ("sent_date", "plan_start", "plan_end")

# Parameters each check kind takes (besides kind, severity, message, when), and the placeholders
# its messages may use on top of the common ones. checks.py implements the row/file kinds; a test
# keeps the two in step.
COMMON_PLACEHOLDERS = {"cell", "column", "value", "sheet", "file"}
KINDS: dict[str, tuple[str, set[str], set[str]]] = {
    # kind: (level, params, extra placeholders)
    "required": ("cell", {"columns"}, set()),
    "in_list": ("cell", {"columns"}, {"values", "expected"}),
    "year_range": ("cell", {"column", "min", "max_age_offset"}, {"min", "max"}),
    "blank": ("cell", {"column"}, set()),
    "date": ("cell", {"column", "not_after"}, {"limit", "limit_name"}),
    "max_days_before": ("cell", {"column", "reference", "days"}, {"days", "actual"}),
    "equals": ("cell", {"columns", "value"}, {"expected"}),
    "in_values": ("cell", {"column", "values"}, {"expected", "values"}),
    "placeholder": ("cell", {"column", "values"}, set()),
    "min_length": ("cell", {"column", "min"}, {"min", "length"}),
    "max_length": ("cell", {"column", "max"}, {"max", "length"}),
    "unique": ("cell", {"columns"}, {"first_row"}),
    "whole_number": ("cell", {"columns"}, set()),
    "known_unit": ("cell", {"column"}, {"suggestion"}),
    "in_cycles": ("cell", {"column"}, {"values"}),
    "min_valid_rows": ("file", {"min"}, {"min", "count"}),
    "template_sheet": ("structure", set(), set()),
    "template_column": ("structure", set(), set()),
    "template_field": ("structure", set(), set()),
    "template_version": ("structure", set(), {"expected"}),
    "unreadable": ("structure", set(), set()),
    "cell_too_long": ("structure", set(), {"length", "max"}),
    "formula_without_value": ("structure", set(), set()),
    "normalised": ("structure", set(), {"expected"}),
    "text_date": ("structure", set(), {"expected"}),
    "legacy_text": ("structure", set(), {"expected", "encoding"}),
    "monthly_deadline": ("campaign", set(), {"unit", "cycle", "status", "deadline"}),
    "summary_deadline": ("campaign", set(), {"unit", "status", "deadline"}),
    "activity_in_window": ("campaign", {"activity_type", "from", "to"}, {"unit", "activity_type", "from", "to"}),
    "activity_each_cycle": ("campaign", {"role", "activity_type"}, {"unit", "cycle", "activity_type"}),
    "summary_matches": ("campaign", {"counts"}, {"expected"}),
    "repeat_nomination": ("campaign", {"person", "deed"}, {"earlier_cycle", "earlier_file"}),
}
CHECK_KEYS = {"kind", "severity", "message", "when"}
RULE_KEYS = {"id", "level", "sheet", "clause", "quote", "title", "checks"} | CHECK_KEYS
# The reading findings of these kinds are rendered with fewer common placeholders (check.py passes
# no file, sheet or column for them): a message may use only what its caller supplies.
NARROW_PLACEHOLDERS = {"unreadable": {"value"}, "cell_too_long": {"cell", "value"},
                       "formula_without_value": {"cell", "value"}}
# Ranges of the numeric check parameters, per kind: (low, high), whole numbers.
PARAM_RANGES = {
    ("year_range", "min"): (1800, 2100),
    ("year_range", "max_age_offset"): (0, 150),
    ("max_days_before", "days"): (0, 36_500),
    ("min_length", "min"): (0, 32_767),
    ("max_length", "max"): (1, 32_767),
    ("min_valid_rows", "min"): (0, 100_000),
}

# What a rules file may set each limit to: (low, high), whole numbers.
LIMIT_RANGES = {
    "max_file_bytes": (1, 2**30),
    "max_uncompressed_bytes": (1, 2**32),
    "max_compression_ratio": (1, 10_000),
    "max_zip_members": (1, 100_000),
    "max_rows": (1, 1_048_576),  # Excel's
    "max_columns": (1, 16_384),  # Excel's
    "max_cell_chars": (1, 32_767),  # Excel's
}


# Bounds on the rules file itself. The bundled file is 36 KB, 8 levels deep, 2,028 YAML nodes.
MAX_RULES_BYTES = 2 * 1024 * 1024
MAX_TEXT = 10_000  # characters of any one text (well under Excel's 32,767 a cell)
MAX_MESSAGE = 1_000  # characters of a message template (rendered once per finding)
# Dates in a rules file: anything outside is a typo, and date arithmetic near year 9999 overflows.
FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2099, 12, 31)

# Unit ids become folder and file names (feedback/<ID>/, <ID>.eml, mau_NTVT_<ID>.xlsx). Upper-case
# ASCII words joined by single '-' or '_' are left unchanged by every writer's file-name mapping, so
# distinct ids give distinct names, also on Windows' case-insensitive file systems; the device
# names Windows reserves (with any extension) are refused.
UNIT_ID = re.compile(r"[A-Z0-9]+(?:[-_][A-Z0-9]+)*")
MAX_UNIT_ID = 32
WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in range(10)}
# Keys of sheets and fields and names of lists: lower-case ASCII words joined by single '_' (they
# name DataFrame columns, and ntvt's own columns start with '_' or contain '__').
NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
MAX_NAME = 40
# Excel refuses these in a sheet name, and names over 31 characters.
SHEET_NAME_CHARS = set("[]:*?/\\")



def default_rules_path() -> Path:
    """The bundled KH 327 rules: `rules/` of the source tree, or the installed copy."""
    env = os.environ.get("NTVT_RULES")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parents[2] / "rules" / "kh327-2023.yaml"
    if here.exists():
        return here
    return Path(sys.prefix) / "share" / "ntvt" / "rules" / "kh327-2023.yaml"


def load_rules(path: Path | str | None = None) -> RuleSet:
    """Load a rules file (default: the bundled KH 327/KH-SVHTT rules) or raise RuleFileError."""
    path = Path(path) if path is not None else default_rules_path()
    raw = _read(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RuleFileError(path, "", "the rules file is not UTF-8 text", raw[:exc.start].count(b"\n") + 1) from None
    data = parse(path, text, raw)
    return _Builder(path, data).build(hashlib.sha256(raw).hexdigest())


def _read(path: Path) -> bytes:
    # The size is checked before reading (a 50 MB rules file cost 61 s and 1.7 GB to refuse), and
    # only a regular file is opened: opening a FIFO would wait for a writer for ever.
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise RuleFileError(path, "", "the rules file is not a regular file")
        if info.st_size > MAX_RULES_BYTES:
            raise RuleFileError(path, "", f"the rules file is too large ({info.st_size:,} bytes; "
                                          f"the limit is {MAX_RULES_BYTES:,})")
        with open(path, "rb") as f:
            raw = f.read(MAX_RULES_BYTES + 1)
    except OSError as exc:
        raise RuleFileError(path, "", f"cannot read the rules file ({exc.strerror})") from None
    if len(raw) > MAX_RULES_BYTES:  # it grew since stat
        raise RuleFileError(path, "", f"the rules file is too large (the limit is {MAX_RULES_BYTES:,} bytes)")
    return raw



_MISSING = object()


class _Builder:
    """Turns the parsed YAML into a RuleSet, checking every key, type, range and reference."""

    def __init__(self, path: Path, data: Any):
        self.path, self.data = path, data
        self.field_roles: set[str] = set()

    def fail(self, where: str, problem: str, node: Any = None, key: Any = None) -> RuleFileError:
        return RuleFileError(self.path, where, problem, _line(node, key))

    # -- typed values ---------------------------------------------------------------------------

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

    # -- sections -------------------------------------------------------------------------------

    def build(self, sha256: str) -> RuleSet:
        top = self.mapping(self.data, "(top)", {"plan", "template", "deadlines", "unit_matching", "units",
                                                "lists", "sheets", "rules", "consolidation"}, {"limits"})
        self.plan = self.build_plan(top["plan"], top)
        template = self.build_template(top["template"], top)
        deadlines = self.build_deadlines(top["deadlines"], top)
        abbreviations, suffixes, cutoff = self.build_matching(top["unit_matching"], top)
        units = self.build_units(top["units"], top)
        self.lists = self.build_lists(top["lists"], top)
        self.sheets = self.build_sheets(top["sheets"], top)
        self.columns = {s.key: {f.key for f in s.fields} for s in self.sheets}
        self.form_columns = {f.key for s in self.sheets if s.kind == "form" for f in s.fields}
        # Looked up once per checked column: dicts, so the cost stays linear in the file's size.
        self.specs = {(s.key, f.key): f for s in self.sheets for f in s.fields}
        self.specs.update({("(file)", f.key): f for s in reversed(self.sheets) if s.kind == "form" for f in s.fields})
        self.activity_types = {i.value for i in self.lists.get("activity_types", ())}
        rules = self.build_rules(top["rules"], top)
        consolidation = self.build_consolidation(top["consolidation"], top)
        limits = self.build_limits(top.get("limits") or _Map(), top)
        return RuleSet(self.path, sha256, self.plan, template, deadlines, abbreviations, suffixes, cutoff, units,
                       self.lists, self.sheets, rules, consolidation, limits)

    def build_plan(self, node: Any, top: dict) -> Plan:
        w = "plan"
        n = self.mapping(node, w, {"id", "number", "issued", "title", "issuer", "recipient", "start", "end", "year",
                                   "movement", "office", "place", "short_name"}, parent=top, key=w)
        plan = Plan(self.text(n, "id", w), self.text(n, "number", w), self.date(n, "issued", w),
                    self.text(n, "title", w), self.text(n, "issuer", w), self.text(n, "recipient", w),
                    self.date(n, "start", w), self.date(n, "end", w), self.number(n, "year", w, 2000, 2099),
                    self.text(n, "movement", w), self.text(n, "office", w), self.text(n, "place", w),
                    self.short_name(n, w))
        if plan.end < plan.start:
            raise self.fail(w, "plan end is before its start", n, "end")
        return plan

    def short_name(self, n: dict, w: str) -> str:
        # It names files (mau_<short_name>.xlsx), so it is held to the unit ids' safe form.
        value = self.text(n, "short_name", w)
        if len(value) > MAX_UNIT_ID or not UNIT_ID.fullmatch(value):
            raise self.fail(f"{w}.short_name", "expected upper-case ASCII letters and digits (it names files), "
                                               f"found {shown(value)}", n, "short_name")
        return value

    def build_template(self, node: Any, top: dict) -> TemplateInfo:
        w = "template"
        n = self.mapping(node, w, {"version", "title", "contact"},
                         {"older_versions", "nomination_rows", "activity_rows"}, parent=top, key=w)
        if not isinstance(n["version"], str):
            raise self.fail(f"{w}.version", "expected a text in quotes such as \"2023.1\", "
                                            f"found {shown(n['version'])}", n, "version")
        return TemplateInfo(self.text(n, "version", w), self.strings(n, "older_versions", w, _Seq()),
                            self.text(n, "title", w), self.text(n, "contact", w),
                            self.number(n, "nomination_rows", w, 1, 10_000, default=200),
                            self.number(n, "activity_rows", w, 1, 10_000, default=100))

    def build_deadlines(self, node: Any, top: dict) -> Deadlines:
        w = "deadlines"
        n = self.mapping(node, w, {"utc_offset_hours", "policy", "monthly", "summary_report"}, {"holidays"},
                         parent=top, key=w)
        offset = self.number(n, "utc_offset_hours", w, -12, 14, whole=False)
        if offset * 4 != int(offset * 4):
            raise self.fail(f"{w}.utc_offset_hours", f"expected whole quarter hours (7, 5.5, 5.75), found {offset}",
                            n, "utc_offset_hours")
        policy = self.choice(n, "policy", w, POLICIES, "policy")
        holidays = n.get("holidays", _Seq())
        if not isinstance(holidays, list):
            raise self.fail(f"{w}.holidays", f"expected a list of dates YYYY-MM-DD, found {shown(holidays)}",
                            n, "holidays")
        holidays = [self.date(n, "holidays", w, value=d, index=i) for i, d in enumerate(holidays)]
        mw = f"{w}.monthly"
        m = self.mapping(n["monthly"], mw, {"day", "cycles", "clause"}, {"quote"}, parent=n, key="monthly")
        day = self.number(m, "day", mw, 1, 28)
        cycles = self.strings(m, "cycles", mw)
        for i, cycle in enumerate(cycles):
            if not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", cycle):
                raise self.fail(f"{mw}.cycles", f"malformed cycle {shown(cycle)} (expected YYYY-MM, 2000 to 2099)",
                                m["cycles"], i)
        if len(set(cycles)) != len(cycles):
            raise self.fail(f"{mw}.cycles", "a cycle is listed twice", m, "cycles")
        sw = f"{w}.summary_report"
        s = self.mapping(n["summary_report"], sw, {"due", "clause"}, {"quote"}, parent=n, key="summary_report")
        return Deadlines(float(offset), policy, frozenset(holidays), day, self.text(m, "clause", mw),
                         self.text(m, "quote", mw, "-"), cycles, self.date(s, "due", sw), self.text(s, "clause", sw),
                         self.text(s, "quote", sw, "-"))

    def build_matching(self, node: Any, top: dict) -> tuple[dict[str, str], tuple[str, ...], float]:
        w = "unit_matching"
        m = self.mapping(node, w, {"abbreviations", "drop_suffixes"}, {"suggestion_cutoff"}, parent=top, key=w)
        abbreviations = m["abbreviations"]
        if not isinstance(abbreviations, dict):
            raise self.fail(f"{w}.abbreviations", "expected a mapping of text to text", m, "abbreviations")
        for short in abbreviations:
            self.text(abbreviations, short, f"{w}.abbreviations")
        cutoff = self.number(m, "suggestion_cutoff", w, 0, 1, whole=False, default=0.6)
        return dict(abbreviations), self.strings(m, "drop_suffixes", w), float(cutoff)

    def build_units(self, node: Any, top: dict) -> tuple[Unit, ...]:
        if not isinstance(node, list) or not node:
            raise self.fail("units", f"expected a non-empty list of units, found {_kind(node)}", top, "units")
        units, ids = [], set()
        for i, u in enumerate(node):
            w = f"units[{i}]"
            u = self.mapping(u, w, {"id", "name", "kind", "required"}, {"aliases", "roles"}, parent=node, key=i)
            uid = u["id"]
            if not isinstance(uid, str) or len(uid) > MAX_UNIT_ID or not UNIT_ID.fullmatch(uid):
                raise self.fail(f"{w}.id", f"a unit id is upper-case ASCII letters and digits, words joined by a "
                                           f"single '-' or '_', at most {MAX_UNIT_ID} characters (it names files), "
                                           f"found {shown(uid)}", u, "id")
            if uid in WINDOWS_RESERVED:
                raise self.fail(f"{w}.id", f"unit id {uid!r} is a device name on Windows and cannot name a file",
                                u, "id")
            if uid in ids:
                raise self.fail(f"{w}.id", f"duplicate unit id {uid!r}", u, "id")
            ids.add(uid)
            units.append(Unit(uid, self.text(u, "name", w), self.text(u, "kind", w), self.boolean(u, "required", w),
                              self.strings(u, "aliases", w, _Seq()), self.strings(u, "roles", w, _Seq())))
        return tuple(units)

    def build_lists(self, node: Any, top: dict) -> dict[str, tuple[ListItem, ...]]:
        if not isinstance(node, dict):
            raise self.fail("lists", f"expected a mapping of list name to values, found {_kind(node)}", top, "lists")
        lists = {}
        for name, items in node.items():
            if len(name) > MAX_NAME or not NAME.fullmatch(name):
                raise self.fail("lists", f"a list name is lower-case ASCII words joined by '_' (e.g. yes_no), "
                                         f"found {shown(name)}", node, name)
            w = f"lists.{name}"
            if not isinstance(items, list) or not items:
                raise self.fail(w, f"expected a non-empty list, found {_kind(items)}", node, name)
            out = []
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    item = self.mapping(item, f"{w}[{i}]", {"value"}, {"aliases"})
                    out.append(ListItem(self.text(item, "value", f"{w}[{i}]"),
                                        self.strings(item, "aliases", f"{w}[{i}]", _Seq())))
                elif isinstance(item, str) and item.strip() and len(item) <= MAX_TEXT:
                    out.append(ListItem(item))
                else:
                    raise self.fail(f"{w}[{i}]", "expected a text or {value: …, aliases: […]}, "
                                                 f"found {shown(item)}", items, i)
            if len({i.value for i in out}) != len(out):
                raise self.fail(w, "a value is listed twice", node, name)
            lists[name] = tuple(out)
        return lists

    def build_sheets(self, node: Any, top: dict) -> tuple[SheetSpec, ...]:
        if not isinstance(node, list):
            raise self.fail("sheets", f"expected a list of sheets, found {_kind(node)}", top, "sheets")
        sheets, keys, names = [], set(), set()
        for i, s in enumerate(node):
            w = f"sheets[{i}]"
            s = self.mapping(s, w, {"key", "name", "kind"}, {"fields", "columns", "min_rows_for_template", "role"},
                             parent=node, key=i)
            key = self.name(s, "key", w, "sheet key")
            if key in keys:
                raise self.fail(f"{w}.key", f"duplicate sheet key {key!r}", s, "key")
            keys.add(key)
            name = self.sheet_name(s, w)
            if name.casefold() in names:
                raise self.fail(f"{w}.name", f"duplicate sheet name {name!r} (Excel ignores case)", s, "name")
            names.add(name.casefold())
            kind = self.choice(s, "kind", w, ("guide", "form", "table"), "sheet kind")
            if "min_rows_for_template" in s:
                self.number(s, "min_rows_for_template", w, 0, 10_000)
            wanted = {"form": "fields", "table": "columns"}.get(kind)
            for other in {"fields", "columns"} - {wanted}:
                if other in s:
                    raise self.fail(f"{w}.{other}", f"a {kind} sheet has no `{other}:`"
                                                    + (f" (it has `{wanted}:`)" if wanted else ""), s, other)
            raw_fields = s.get(wanted, _Seq()) if wanted else _Seq()
            if not isinstance(raw_fields, list):
                raise self.fail(f"{w}.{wanted}", f"expected a list of {wanted}, found {_kind(raw_fields)}", s, wanted)
            role = self.sheet_role(s, w, kind, {sheet.role for sheet in sheets})
            fields = self.build_fields(raw_fields, f"{w}.{wanted}", role)
            sheets.append(SheetSpec(key, name, kind, fields, role))
        for role, (kind, required) in SHEET_ROLES.items():
            if required and not any(s.role == role for s in sheets):
                raise self.fail("sheets", f"a {kind} sheet with role {role!r} is required", top, "sheets")
        return tuple(sheets)

    def sheet_role(self, s: dict, w: str, kind: str, taken: set) -> str | None:
        if "role" not in s:
            return None
        role = self.choice(s, "role", w, tuple(SHEET_ROLES), "sheet role")
        if SHEET_ROLES[role][0] != kind:
            raise self.fail(f"{w}.role", f"role {role!r} is for a {SHEET_ROLES[role][0]} sheet", s, "role")
        if role in taken:
            raise self.fail(f"{w}.role", f"duplicate sheet role {role!r}", s, "role")
        return role

    def sheet_name(self, s: dict, w: str) -> str:
        name = self.text(s, "name", w)
        bad = sorted(SHEET_NAME_CHARS & set(name))
        if len(name) > 31 or bad or name.startswith("'") or name.endswith("'") or name.casefold() == "history":
            raise self.fail(f"{w}.name", "not a valid Excel sheet name: at most 31 characters, none of "
                                         "[ ] : * ? / \\, no ' at either end, not History; "
                                         f"found {shown(name)}", s, "name")
        return name

    def build_fields(self, raw_fields: list, w: str, sheet_role: str | None) -> tuple[FieldSpec, ...]:
        fields, keys = [], set()
        for j, f in enumerate(raw_fields):
            fw = f"{w}[{j}]"
            f = self.mapping(f, fw, {"key", "label", "type", "prompt"}, {"list", "width", "role"}, parent=raw_fields,
                             key=j)
            key = self.name(f, "key", fw, "column key")
            ftype = self.choice(f, "type", fw, FIELD_TYPES, "type")
            if (ftype == "list") != ("list" in f):
                raise self.fail(fw, "type list needs `list:` and only type list may have one", f, "type")
            if "list" in f and (not isinstance(f["list"], str) or f["list"] not in self.lists):
                raise self.fail(f"{fw}.list", f"unknown list {shown(f['list'])}", f, "list")
            if key in keys:
                raise self.fail(f"{fw}.key", f"duplicate column key {key!r}", f, "key")
            keys.add(key)
            width = self.number(f, "width", fw, 1, 255) if "width" in f else None  # Excel's widest column
            fields.append(FieldSpec(key, self.text(f, "label", fw), ftype, self.text(f, "prompt", fw), f.get("list"),
                                    width, self.field_role(f, fw, sheet_role)))
        return tuple(fields)

    def field_role(self, f: dict, fw: str, sheet_role: str | None) -> str | None:
        if "role" not in f:
            return None
        role = self.choice(f, "role", fw, tuple(FIELD_ROLES), "column role")
        if FIELD_ROLES[role] != sheet_role:
            raise self.fail(f"{fw}.role", f"role {role!r} belongs to the sheet with role {FIELD_ROLES[role]!r}", f,
                            "role")
        if role in self.field_roles:
            raise self.fail(f"{fw}.role", f"duplicate column role {role!r}", f, "role")
        self.field_roles.add(role)
        return role

    def build_limits(self, node: Any, top: dict) -> Limits:
        n = self.mapping(node, "limits", set(), set(LIMIT_RANGES), parent=top, key="limits")
        return Limits(**{k: self.number(n, k, "limits", *LIMIT_RANGES[k]) for k in n})

    def build_consolidation(self, node: Any, top: dict) -> ConsolidationInfo:
        w = "consolidation"
        n = self.mapping(node, w, {"monthly_report", "summary_report", "city_level"}, {"max_comments"},
                         parent=top, key=w)
        report_types = {i.value for i in self.lists.get("report_types", ())}
        for key in ("monthly_report", "summary_report"):
            if not isinstance(n[key], str) or n[key] not in report_types:
                raise self.fail(f"{w}.{key}", f"{shown(n[key])} is not in lists.report_types", n, key)
        levels = {i.value for i in self.lists.get("levels", ())}
        if not isinstance(n["city_level"], str) or n["city_level"] not in levels:
            raise self.fail(f"{w}.city_level", f"{shown(n['city_level'])} is not in lists.levels", n, "city_level")
        # Each comment costs xlsxwriter memory until the workbook is closed: 50,000 is 10x the default.
        return ConsolidationInfo(n["monthly_report"], n["summary_report"], n["city_level"],
                                 self.number(n, "max_comments", w, 0, 50_000, default=5000))

    # -- rules ----------------------------------------------------------------------------------

    def build_rules(self, node: Any, top: dict) -> tuple[Rule, ...]:
        if not isinstance(node, list) or not node:
            raise self.fail("rules", f"expected a non-empty list of rules, found {_kind(node)}", top, "rules")
        kinds_params = set().union(*(p for _, p, _ in KINDS.values()))
        rules, ids = [], set()
        for i, r in enumerate(node):
            w = f"rules[{i}]"
            r = self.mapping(r, w, {"id", "level", "clause", "title"}, RULE_KEYS | kinds_params, parent=node, key=i)
            rid = self.text(r, "id", w)
            if len(rid) > 40 or not re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)+", rid):
                raise self.fail(f"{w}.id", f"rule ids are upper-case ASCII words joined by '-', e.g. DN-NGAY, "
                                           f"found {shown(rid)}", r, "id")
            w = f"rules[{i}] ({rid})"
            if rid in ids:
                raise self.fail(f"{w}.id", f"duplicate rule id {rid!r}", r, "id")
            ids.add(rid)
            level = self.choice(r, "level", w, LEVELS, "level")
            sheet = r.get("sheet")
            if sheet is not None and (not isinstance(sheet, str) or sheet not in self.columns):
                raise self.fail(f"{w}.sheet", f"unknown sheet {shown(sheet)}", r, "sheet")
            if level == "row" and sheet is None:
                raise self.fail(w, "a row rule needs `sheet:`", r)
            defaults = [k for k in r if k not in {"id", "level", "sheet", "clause", "quote", "title", "checks"}]
            if "checks" in r:
                if "kind" in r or not isinstance(r["checks"], list) or not r["checks"]:
                    raise self.fail(w, "give either `kind:` or a non-empty `checks:` list", r, "checks")
                raw_checks = [_merged(r, defaults, c) if isinstance(c, _Map) else c for c in r["checks"]]
            else:
                raw_checks = [_merged(r, defaults, _Map())]
            checks = tuple(self.build_check(rid, level, sheet, c, f"{w}.checks[{j}]", r.get("checks", r), j)
                           for j, c in enumerate(raw_checks))
            rules.append(Rule(rid, level, sheet, self.text(r, "clause", w), self.text(r, "title", w),
                              self.text(r, "quote", w, "-") if "quote" in r else "", checks))
        return tuple(rules)

    def build_check(self, rule_id: str, level: str, sheet: str | None, c: Any, w: str, parent: Any,
                    index: int) -> CheckSpec:
        if not isinstance(c, dict):
            raise self.fail(w, f"a check is a mapping with `kind:`, found {_kind(c)}", parent, index)
        if "kind" not in c:
            raise self.fail(w, "a check needs `kind:`", c)
        kind = self.choice(c, "kind", w, KINDS, "check kind")
        kind_level, params, placeholders = KINDS[kind]
        if (level == "campaign") != (kind_level == "campaign"):
            raise self.fail(f"{w}.kind", f"kind {kind!r} does not fit a {level} rule", c, "kind")
        unknown = sorted(set(c) - CHECK_KEYS - params)
        if unknown:
            raise self.fail(w, f"unknown key {unknown[0]!r} for kind {kind!r} (allowed: "
                               f"{', '.join(sorted(CHECK_KEYS | params))})", c, unknown[0])
        optional = {"not_after"}
        missing = sorted(params - set(c) - optional)
        if missing:
            raise self.fail(w, f"missing key {missing[0]!r} for kind {kind!r}", c)
        severity = c.get("severity")
        if not isinstance(severity, str) or severity not in SEVERITIES:
            raise self.fail(f"{w}.severity", f"expected one of {', '.join(SEVERITIES)}, found {shown(severity)}",
                            c, "severity")
        message = self.message(c, kind, placeholders, w)
        p = {k: v for k, v in c.items() if k in params}
        self.check_params(kind, level, sheet, p, w, c)
        when = self.build_condition(c["when"], level, sheet, w, c, "when") if "when" in c else None
        return CheckSpec(rule_id, kind, severity, message, p, when)

    def message(self, c: dict, kind: str, placeholders: set[str], w: str) -> str:
        """A message template: literal text with plain `{name}` placeholders the caller supplies.

        This is what makes the run-time `message.format(**values)` calls (check.py, frames.py,
        consolidate.py) safe by construction: with no format spec (`{value:>1000000000}` would
        allocate a gigabyte, `{value:d}` raise on a text), no conversion, no attribute access or
        indexing (`{cell.__class__}`), no nested field and only names the caller passes, format can
        do nothing but insert str(value) of a given value.
        """
        value = c.get("message")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{w}.message", "every check needs a Vietnamese message", c, "message")
        self.text(c, "message", w, limit=MAX_MESSAGE)
        allowed = NARROW_PLACEHOLDERS.get(kind, COMMON_PLACEHOLDERS) | placeholders
        hint = f"(allowed: {', '.join('{' + a + '}' for a in sorted(allowed))}; a literal brace is {{{{ or }}}})"
        try:
            parts = list(string.Formatter().parse(value))
        except ValueError as exc:
            raise self.fail(f"{w}.message", f"malformed placeholder: {exc} {hint}", c, "message") from None
        for _, name, spec, conversion in parts:
            if name is None:
                continue
            whole = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            if name == "":
                problem = "an empty placeholder {}: name what goes there"
            elif conversion is not None or spec:
                problem = f"placeholder {shown(whole)} has a format or conversion: write plain {{name}}"
            elif "." in name or "[" in name:
                problem = f"placeholder {shown(whole)} uses attribute access or indexing: write plain {{name}}"
            elif name not in allowed:
                problem = f"unknown placeholder {{{name[:MAX_SHOWN]}}}"
            else:
                continue
            raise self.fail(f"{w}.message", f"{problem} {hint}", c, "message")
        return " ".join(value.split())

    def columns_of(self, level: str, sheet: str | None) -> set[str]:
        if level == "file":
            return self.form_columns
        return self.columns.get(sheet, set())

    def column_list(self, p: dict, key: str, w: str, node: dict, known: set[str]) -> list[str]:
        value = p[key] if key == "columns" else [p[key]]
        if not isinstance(value, list) or not value:
            raise self.fail(f"{w}.{key}", f"expected a non-empty list of column keys, found {shown(value)}", node, key)
        for col in value:
            if not isinstance(col, str) or col not in known:
                raise self.fail(w, f"unknown column {shown(col)} (known: {', '.join(sorted(known))})", node, key)
        return value

    def check_params(self, kind: str, level: str, sheet: str | None, p: dict, w: str, node: dict) -> None:
        known = self.columns_of(level, sheet)
        for key in ("columns", "column"):
            if key in p:
                for col in self.column_list(p, key, w, node, known):
                    if kind == "in_list" and self.field_spec(col, level, sheet).list is None:
                        raise self.fail(w, f"column {col!r} has no list to check against", node, key)
        if "not_after" in p:
            refs = self.strings(node, "not_after", w)
            for ref in refs:
                if ref not in DATE_REFERENCES:
                    raise self.fail(f"{w}.not_after", f"unknown date {shown(ref)} "
                                                      f"(allowed: {', '.join(DATE_REFERENCES)})", node, "not_after")
        if "reference" in p:
            self.choice(node, "reference", w, DATE_REFERENCES, "date")
        for key in ("from", "to"):
            if key in p:
                self.date(node, key, w)
        for key in ("min", "max", "days", "max_age_offset"):
            if key in p:
                self.number(node, key, w, *PARAM_RANGES[(kind, key)])
        if "values" in p:
            self.strings(node, "values", w)
        for key in ("value", "role"):
            if key in p:
                self.text(node, key, w)
        if "counts" in p:
            self.check_counts(p["counts"], f"{w}.counts", node)
        for key in ("person", "deed"):
            if key in p:
                nominations = self.columns_of("row", "nominations")
                if not isinstance(p[key], list) or not p[key] or not all(isinstance(v, str) and v in nominations
                                                                         for v in p[key]):
                    raise self.fail(f"{w}.{key}", f"expected a list of nominations columns, found {shown(p[key])}",
                                    node, key)
        if "activity_type" in p:
            value = p["activity_type"]
            if not isinstance(value, str) or value not in self.activity_types:
                raise self.fail(f"{w}.activity_type", f"{shown(value)} is not in lists.activity_types", node,
                                "activity_type")

    def check_counts(self, counts: Any, w: str, node: dict) -> None:
        summary = self.columns.get("summary", set())
        if not isinstance(counts, dict) or not counts:
            raise self.fail(w, "expected a mapping of summary field to a count", node, "counts")
        for key, spec in counts.items():
            if key not in summary:
                raise self.fail(w, f"unknown summary field {shown(key)}", counts, key)
            spec = self.mapping(spec, f"{w}.{key}", {"sheet"}, {"where", "sum"}, parent=counts, key=key)
            table = spec["sheet"]
            if not isinstance(table, str) or not any(s.key == table and s.kind == "table" for s in self.sheets):
                raise self.fail(f"{w}.{key}.sheet", f"unknown table sheet {shown(table)}", spec, "sheet")
            if "sum" in spec and (not isinstance(spec["sum"], str) or spec["sum"] not in self.columns[table]):
                raise self.fail(f"{w}.{key}.sum", f"unknown column {shown(spec['sum'])}", spec, "sum")
            if "where" in spec:
                self.build_condition(spec["where"], "row", table, f"{w}.{key}", spec, "where")

    def field_spec(self, key: str, level: str, sheet: str | None) -> FieldSpec:
        return self.specs[("(file)" if level == "file" else sheet, key)]

    def build_condition(self, node: Any, level: str, sheet: str | None, w: str, parent: dict, key: str) -> Condition:
        n = self.mapping(node, f"{w}.when", {"column"}, {"in", "not_in"}, parent=parent, key=key)
        if ("in" in n) == ("not_in" in n):
            raise self.fail(f"{w}.when", "give exactly one of `in:` or `not_in:`", n)
        column = n["column"]
        if not isinstance(column, str) or (column not in self.columns_of(level, sheet)
                                           and column not in self.form_columns):
            raise self.fail(f"{w}.when.column", f"unknown column {shown(column)}", n, "column")
        values = self.strings(n, "in" if "in" in n else "not_in", f"{w}.when")
        return Condition(column, values, "not_in" in n)


def _merged(rule: _Map, defaults: list[str], check: _Map) -> _Map:
    """A check with the rule-level keys as defaults, keeping the line of every key."""
    out = _Map({**{k: rule[k] for k in defaults}, **check})
    out.line = check.line or rule.line
    out.lines = {**{k: rule.lines[k] for k in defaults if k in rule.lines}, **check.lines}
    return out


def _num(n: int) -> str:
    return f"{n:,}" if abs(n) >= 10_000 else str(n)  # 50,000 but 2099, a year


def _kind(value: Any) -> str:
    """What was found, for an 'expected a list' message: the type, and the value if it is short."""
    if isinstance(value, (dict, list)):
        return f"a {'mapping' if isinstance(value, dict) else 'list'} of {len(value)}"
    return f"{type(value).__name__} {shown(value)}"
