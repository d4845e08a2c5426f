"""Load and strictly validate a rules file (YAML) into frozen dataclasses.

The rules file is the single source of the plan's facts: period, cycles, deadlines, units, value
lists, template sheets and columns, and every rule with its clause and Vietnamese message. Loading
is strict: an unknown key, a duplicate rule id, a reference to a missing list or column, a malformed
date or a message naming an unknown placeholder is a RuleFileError naming the file, place and line.
No pandas here.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import re
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import RuleFileError

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


# ---------------------------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class Plan:
    id: str
    number: str
    issued: dt.date
    title: str
    issuer: str
    recipient: str
    start: dt.date
    end: dt.date
    year: int


@dataclass(frozen=True)
class TemplateInfo:
    version: str
    older_versions: tuple[str, ...]
    title: str
    contact: str
    nomination_rows: int
    activity_rows: int


@dataclass(frozen=True)
class Deadlines:
    utc_offset_hours: float
    policy: str
    holidays: frozenset[dt.date]
    monthly_day: int
    monthly_clause: str
    monthly_quote: str
    cycles: tuple[str, ...]  # "YYYY-MM"
    summary_due: dt.date
    summary_clause: str
    summary_quote: str


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: str
    required: bool
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListItem:
    value: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldSpec:
    """A column of a table sheet or a labelled row of a form sheet."""

    key: str
    label: str
    type: str
    prompt: str
    list: str | None = None
    width: int | None = None


@dataclass(frozen=True)
class SheetSpec:
    key: str
    name: str
    kind: str  # guide | form | table
    fields: tuple[FieldSpec, ...] = ()

    def field(self, key: str) -> FieldSpec:
        return next(f for f in self.fields if f.key == key)


@dataclass(frozen=True)
class Condition:
    column: str
    values: tuple[str, ...]
    negate: bool  # True for not_in


@dataclass(frozen=True)
class CheckSpec:
    rule_id: str
    kind: str
    severity: str
    message: str
    params: dict[str, Any]
    when: Condition | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        if "columns" in self.params:
            return tuple(self.params["columns"])
        if "column" in self.params:
            return (self.params["column"],)
        return ()


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    sheet: str | None
    clause: str
    title: str
    quote: str
    checks: tuple[CheckSpec, ...]

    @property
    def severities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.severity for c in self.checks))


@dataclass(frozen=True)
class Limits:
    """Guards against hostile or broken inputs; overridable in the rules file's `limits:`."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_compression_ratio: int = 200
    max_zip_members: int = 2000
    max_rows: int = 10_000
    max_columns: int = 200
    max_cell_chars: int = 32_767


@dataclass(frozen=True)
class ConsolidationInfo:
    """Which list values carry meaning for consolidation."""

    monthly_report: str
    summary_report: str
    city_level: str
    max_comments: int


@dataclass(frozen=True)
class RuleSet:
    path: Path
    sha256: str
    plan: Plan
    template: TemplateInfo
    deadlines: Deadlines
    abbreviations: dict[str, str]
    drop_suffixes: tuple[str, ...]
    suggestion_cutoff: float
    units: tuple[Unit, ...]
    lists: dict[str, tuple[ListItem, ...]]
    sheets: tuple[SheetSpec, ...]
    rules: tuple[Rule, ...]
    consolidation: "ConsolidationInfo | None" = None
    limits: Limits = field(default_factory=Limits)

    def sheet(self, key: str) -> SheetSpec:
        return next(s for s in self.sheets if s.key == key)

    def rule(self, rule_id: str) -> Rule:
        return self._rules_by_id[rule_id]

    @functools.cached_property
    def _rules_by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    def list_values(self, name: str) -> tuple[str, ...]:
        return tuple(item.value for item in self.lists[name])

    def rules_at(self, level: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.level == level)

    @property
    def form_fields(self) -> dict[str, tuple[str, FieldSpec]]:
        """Every field of every form sheet: key -> (sheet key, spec)."""
        return {f.key: (s.key, f) for s in self.sheets if s.kind == "form" for f in s.fields}

    def citation(self, rule_id: str) -> str:
        """What a message ends with: the plan clause it rests on (or the template, for format rules)."""
        return self._citations[rule_id]

    @functools.cached_property
    def _citations(self) -> dict[str, str]:
        out = {}
        for rule in self.rules:
            clause = rule.clause
            if clause.startswith(("Mục", "Đoạn")):
                out[rule.id] = f" (Căn cứ: {clause}, Kế hoạch số {self.plan.number}.)"
            else:
                out[rule.id] = f" (Căn cứ: {clause[0].lower() + clause[1:]}.)"
        return out

    def cycle_label(self, cycle: str) -> str:
        year, month = cycle.split("-")
        return f"Tháng {month}/{year}"


# ---------------------------------------------------------------------------------------------
# YAML with line numbers and duplicate-key detection


class _Map(dict):
    line: int | None = None


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _Map:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise RuleFileError(loader.name, "", f"duplicate key {key!r}", key_node.start_mark.line + 1)
        seen.add(key)
    result = _Map(loader.construct_mapping(node, deep=True))
    result.line = node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def default_rules_path() -> Path:
    """The bundled KH 327 rules: `rules/` of the source tree, or the installed copy."""
    env = os.environ.get("NTVT_RULES")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent.parent / "rules" / "kh327-2023.yaml"
    if here.exists():
        return here
    return Path(sys.prefix) / "share" / "ntvt" / "rules" / "kh327-2023.yaml"


def load_rules(path: Path | str | None = None) -> RuleSet:
    """Load a rules file (default: the bundled KH 327/KH-SVHTT rules) or raise RuleFileError."""
    path = Path(path) if path is not None else default_rules_path()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RuleFileError(path, "", f"cannot read the rules file ({exc.strerror})") from None
    try:
        loader = _Loader(raw.decode("utf-8"))
        loader.name = str(path)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except UnicodeDecodeError:
        raise RuleFileError(path, "", "the rules file is not UTF-8 text") from None
    except ValueError as exc:  # PyYAML builds dates itself: 2023-13-45 fails there
        raise RuleFileError(path, "", f"malformed value ({exc}); dates are YYYY-MM-DD") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RuleFileError(path, "", f"not valid YAML: {getattr(exc, 'problem', exc)}",
                            mark.line + 1 if mark else None) from None
    return _Builder(path, data).build(hashlib.sha256(raw).hexdigest())


class _Builder:
    """Turns the parsed YAML into a RuleSet, checking every key and reference."""

    def __init__(self, path: Path, data: Any):
        self.path, self.data = path, data

    def fail(self, where: str, problem: str, node: Any = None) -> RuleFileError:
        return RuleFileError(self.path, where, problem, getattr(node, "line", None))

    def mapping(self, node: Any, where: str, required: set[str], optional: set[str] = frozenset()) -> dict:
        if not isinstance(node, dict):
            raise self.fail(where, f"expected a mapping, found {type(node).__name__}", node)
        unknown = sorted(set(node) - required - set(optional))
        if unknown:
            raise self.fail(where, f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(required | set(optional)))})", node)
        missing = sorted(required - set(node))
        if missing:
            raise self.fail(where, f"missing key {missing[0]!r}", node)
        return node

    def text(self, node: dict, key: str, where: str, default: str | None = None) -> str:
        value = node.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}.{key}", f"expected non-empty text, found {value!r}", node)
        return " ".join(value.split()) if "\n" in value else value

    def date(self, node: dict, key: str, where: str) -> dt.date:
        value = node.get(key)
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise self.fail(f"{where}.{key}", f"expected a date YYYY-MM-DD, found {value!r}", node)
        return value

    def number(self, node: dict, key: str, where: str, kind: type = int) -> Any:
        value = node.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
            raise self.fail(f"{where}.{key}", f"expected a number, found {value!r}", node)
        return value

    def strings(self, node: dict, key: str, where: str, default: Any = None) -> tuple[str, ...]:
        value = node.get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(f"{where}.{key}", f"expected a list of texts, found {value!r}", node)
        return tuple(value)

    # -- sections -------------------------------------------------------------------------------

    def build(self, sha256: str) -> RuleSet:
        top = self.mapping(self.data, "(top)", {"plan", "template", "deadlines", "unit_matching", "units",
                                                "lists", "sheets", "rules", "consolidation"}, {"limits"})
        self.plan = self.build_plan(top["plan"])
        template = self.build_template(top["template"])
        deadlines = self.build_deadlines(top["deadlines"])
        m = self.mapping(top["unit_matching"], "unit_matching", {"abbreviations", "drop_suffixes"},
                         {"suggestion_cutoff"})
        abbreviations = m["abbreviations"]
        if not isinstance(abbreviations, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                          for k, v in abbreviations.items()):
            raise self.fail("unit_matching.abbreviations", "expected a mapping of text to text", m)
        units = self.build_units(top["units"])
        self.lists = self.build_lists(top["lists"])
        self.sheets = self.build_sheets(top["sheets"])
        rules = self.build_rules(top["rules"])
        consolidation = self.build_consolidation(top["consolidation"])
        limits = self.build_limits(top.get("limits") or {})
        return RuleSet(self.path, sha256, self.plan, template, deadlines, dict(abbreviations),
                       self.strings(m, "drop_suffixes", "unit_matching"),
                       float(m.get("suggestion_cutoff", 0.6)), units, self.lists, self.sheets, rules,
                       consolidation, limits)

    def build_consolidation(self, node: Any) -> ConsolidationInfo:
        w = "consolidation"
        n = self.mapping(node, w, {"monthly_report", "summary_report", "city_level"}, {"max_comments"})
        report_types = {i.value for i in self.lists.get("report_types", ())}
        for key in ("monthly_report", "summary_report"):
            if n[key] not in report_types:
                raise self.fail(f"{w}.{key}", f"{n[key]!r} is not in lists.report_types", n)
        if n["city_level"] not in {i.value for i in self.lists.get("levels", ())}:
            raise self.fail(f"{w}.city_level", f"{n['city_level']!r} is not in lists.levels", n)
        return ConsolidationInfo(n["monthly_report"], n["summary_report"], n["city_level"],
                                 int(n.get("max_comments", 5000)))

    def build_plan(self, node: Any) -> Plan:
        w = "plan"
        n = self.mapping(node, w, {"id", "number", "issued", "title", "issuer", "recipient", "start", "end", "year"})
        plan = Plan(self.text(n, "id", w), str(n["number"]), self.date(n, "issued", w), self.text(n, "title", w),
                    self.text(n, "issuer", w), self.text(n, "recipient", w), self.date(n, "start", w),
                    self.date(n, "end", w), self.number(n, "year", w))
        if plan.end < plan.start:
            raise self.fail(w, "plan end is before its start", n)
        return plan

    def build_template(self, node: Any) -> TemplateInfo:
        w = "template"
        n = self.mapping(node, w, {"version", "title", "contact"},
                         {"older_versions", "nomination_rows", "activity_rows"})
        return TemplateInfo(str(n["version"]), tuple(str(v) for v in n.get("older_versions", [])),
                            self.text(n, "title", w), self.text(n, "contact", w),
                            int(n.get("nomination_rows", 200)), int(n.get("activity_rows", 100)))

    def build_deadlines(self, node: Any) -> Deadlines:
        w = "deadlines"
        n = self.mapping(node, w, {"utc_offset_hours", "policy", "monthly", "summary_report"}, {"holidays"})
        if n["policy"] not in POLICIES:
            raise self.fail(f"{w}.policy", f"unknown policy {n['policy']!r} (allowed: {', '.join(POLICIES)})", n)
        holidays = n.get("holidays", [])
        if not isinstance(holidays, list) or not all(isinstance(d, dt.date) for d in holidays):
            raise self.fail(f"{w}.holidays", "expected a list of dates YYYY-MM-DD", n)
        m = self.mapping(n["monthly"], f"{w}.monthly", {"day", "cycles", "clause"}, {"quote"})
        day = self.number(m, "day", f"{w}.monthly")
        if not 1 <= day <= 28:
            raise self.fail(f"{w}.monthly.day", f"expected a day from 1 to 28, found {day}", m)
        cycles = self.strings(m, "cycles", f"{w}.monthly")
        for cycle in cycles:
            if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", cycle):
                raise self.fail(f"{w}.monthly.cycles", f"malformed cycle {cycle!r} (expected YYYY-MM)", m)
        if len(set(cycles)) != len(cycles):
            raise self.fail(f"{w}.monthly.cycles", "a cycle is listed twice", m)
        s = self.mapping(n["summary_report"], f"{w}.summary_report", {"due", "clause"}, {"quote"})
        return Deadlines(float(self.number(n, "utc_offset_hours", w, float)), n["policy"], frozenset(holidays), day,
                         self.text(m, "clause", w), self.text(m, "quote", w, "-"), cycles,
                         self.date(s, "due", f"{w}.summary_report"), self.text(s, "clause", w),
                         self.text(s, "quote", w, "-"))

    def build_units(self, node: Any) -> tuple[Unit, ...]:
        if not isinstance(node, list) or not node:
            raise self.fail("units", "expected a non-empty list of units", node)
        units, ids = [], set()
        for i, u in enumerate(node):
            w = f"units[{i}]"
            u = self.mapping(u, w, {"id", "name", "kind", "required"}, {"aliases", "roles"})
            if u["id"] in ids:
                raise self.fail(f"{w}.id", f"duplicate unit id {u['id']!r}", u)
            ids.add(u["id"])
            if not isinstance(u["required"], bool):
                raise self.fail(f"{w}.required", "expected true or false", u)
            units.append(Unit(self.text(u, "id", w), self.text(u, "name", w), self.text(u, "kind", w), u["required"],
                              self.strings(u, "aliases", w, []), self.strings(u, "roles", w, [])))
        return tuple(units)

    def build_lists(self, node: Any) -> dict[str, tuple[ListItem, ...]]:
        if not isinstance(node, dict):
            raise self.fail("lists", "expected a mapping of list name to values", node)
        lists = {}
        for name, items in node.items():
            w = f"lists.{name}"
            if not isinstance(items, list) or not items:
                raise self.fail(w, "expected a non-empty list", node)
            out = []
            for item in items:
                if isinstance(item, str):
                    out.append(ListItem(item))
                else:
                    item = self.mapping(item, w, {"value"}, {"aliases"})
                    out.append(ListItem(self.text(item, "value", w), self.strings(item, "aliases", w, [])))
            if len({i.value for i in out}) != len(out):
                raise self.fail(w, "a value is listed twice", node)
            lists[name] = tuple(out)
        return lists

    def build_sheets(self, node: Any) -> tuple[SheetSpec, ...]:
        if not isinstance(node, list):
            raise self.fail("sheets", "expected a list of sheets", node)
        sheets = []
        for i, s in enumerate(node):
            w = f"sheets[{i}]"
            s = self.mapping(s, w, {"key", "name", "kind"}, {"fields", "columns", "min_rows_for_template"})
            if s["kind"] not in ("guide", "form", "table"):
                raise self.fail(f"{w}.kind", f"unknown sheet kind {s['kind']!r} (guide, form, table)", s)
            raw_fields = s.get("fields" if s["kind"] == "form" else "columns", []) or []
            fields, keys = [], set()
            for j, f in enumerate(raw_fields):
                fw = f"{w}.{'fields' if s['kind'] == 'form' else 'columns'}[{j}]"
                f = self.mapping(f, fw, {"key", "label", "type", "prompt"}, {"list", "width"})
                if f["type"] not in FIELD_TYPES:
                    raise self.fail(f"{fw}.type", f"unknown type {f['type']!r} (allowed: {', '.join(FIELD_TYPES)})", f)
                if (f["type"] == "list") != ("list" in f):
                    raise self.fail(fw, "type list needs `list:` and only type list may have one", f)
                if "list" in f and f["list"] not in self.lists:
                    raise self.fail(f"{fw}.list", f"unknown list {f['list']!r}", f)
                if f["key"] in keys:
                    raise self.fail(f"{fw}.key", f"duplicate column key {f['key']!r}", f)
                keys.add(f["key"])
                fields.append(FieldSpec(f["key"], self.text(f, "label", fw), f["type"], self.text(f, "prompt", fw),
                                        f.get("list"), f.get("width")))
            sheets.append(SheetSpec(self.text(s, "key", w), self.text(s, "name", w), s["kind"], tuple(fields)))
        keys = [s.key for s in sheets]
        for needed, kind in (("info", "form"), ("nominations", "table"), ("activities", "table")):
            if needed not in keys:
                raise self.fail("sheets", f"a {kind} sheet with key {needed!r} is required", node)
        return tuple(sheets)

    def build_limits(self, node: Any) -> Limits:
        fields = Limits.__dataclass_fields__
        n = self.mapping(node, "limits", set(), set(fields))
        return Limits(**{k: self.number(n, k, "limits") for k in n})

    # -- rules ----------------------------------------------------------------------------------

    def build_rules(self, node: Any) -> tuple[Rule, ...]:
        if not isinstance(node, list) or not node:
            raise self.fail("rules", "expected a non-empty list of rules", node)
        rules, ids = [], set()
        for i, r in enumerate(node):
            w = f"rules[{i}]"
            if not isinstance(r, dict):
                raise self.fail(w, "expected a mapping", r)
            kinds_params = set().union(*(p for _, p, _ in KINDS.values()))
            r = self.mapping(r, w, {"id", "level", "clause", "title"}, RULE_KEYS | kinds_params)
            rid = self.text(r, "id", w)
            w = f"rules[{i}] ({rid})"
            if not re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)+", rid):
                raise self.fail(f"{w}.id", "rule ids are upper-case ASCII words joined by '-', e.g. DN-NGAY", r)
            if rid in ids:
                raise self.fail(f"{w}.id", f"duplicate rule id {rid!r}", r)
            ids.add(rid)
            if r["level"] not in LEVELS:
                raise self.fail(f"{w}.level", f"unknown level {r['level']!r} (allowed: {', '.join(LEVELS)})", r)
            sheet = r.get("sheet")
            if sheet is not None and sheet not in {s.key for s in self.sheets}:
                raise self.fail(f"{w}.sheet", f"unknown sheet {sheet!r}", r)
            if r["level"] == "row" and sheet is None:
                raise self.fail(w, "a row rule needs `sheet:`", r)
            defaults = {k: v for k, v in r.items() if k not in {"id", "level", "sheet", "clause", "quote", "title", "checks"}}
            if "checks" in r:
                if "kind" in r or not isinstance(r["checks"], list) or not r["checks"]:
                    raise self.fail(w, "give either `kind:` or a non-empty `checks:` list", r)
                raw_checks = [{**defaults, **c} if isinstance(c, dict) else c for c in r["checks"]]
            else:
                raw_checks = [defaults]
            checks = tuple(self.build_check(rid, r["level"], sheet, c, f"{w}.checks[{j}]", r)
                           for j, c in enumerate(raw_checks))
            rules.append(Rule(rid, r["level"], sheet, self.text(r, "clause", w), self.text(r, "title", w),
                              self.text(r, "quote", w, "-") if "quote" in r else "", checks))
        return tuple(rules)

    def build_check(self, rule_id: str, level: str, sheet: str | None, c: Any, w: str, rule_node: Any) -> CheckSpec:
        if not isinstance(c, dict) or "kind" not in c:
            raise self.fail(w, "a check needs `kind:`", rule_node)
        kind = c["kind"]
        if kind not in KINDS:
            raise self.fail(f"{w}.kind", f"unknown check kind {kind!r} (allowed: {', '.join(sorted(KINDS))})", rule_node)
        kind_level, params, placeholders = KINDS[kind]
        if (level == "campaign") != (kind_level == "campaign"):
            raise self.fail(f"{w}.kind", f"kind {kind!r} does not fit a {level} rule", rule_node)
        unknown = sorted(set(c) - CHECK_KEYS - params)
        if unknown:
            raise self.fail(w, f"unknown key {unknown[0]!r} for kind {kind!r} (allowed: "
                               f"{', '.join(sorted(CHECK_KEYS | params))})", rule_node)
        optional = {"not_after"}
        missing = sorted(params - set(c) - optional)
        if missing:
            raise self.fail(w, f"missing key {missing[0]!r} for kind {kind!r}", rule_node)
        severity = c.get("severity")
        if severity not in SEVERITIES:
            raise self.fail(f"{w}.severity", f"expected one of {', '.join(SEVERITIES)}, found {severity!r}", rule_node)
        message = c.get("message")
        if not isinstance(message, str) or not message.strip():
            raise self.fail(f"{w}.message", "every check needs a Vietnamese message", rule_node)
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(message) if f}
        except ValueError as exc:
            raise self.fail(f"{w}.message", f"malformed placeholder: {exc}", rule_node) from None
        allowed = COMMON_PLACEHOLDERS | placeholders
        if names - allowed:
            raise self.fail(f"{w}.message", f"unknown placeholder {{{sorted(names - allowed)[0]}}} "
                                            f"(allowed: {', '.join(sorted(allowed))})", rule_node)
        p = {k: v for k, v in c.items() if k in params}
        self.check_references(kind, level, sheet, p, w, rule_node)
        when = self.build_condition(c.get("when"), level, sheet, w, rule_node) if "when" in c else None
        return CheckSpec(rule_id, kind, severity, " ".join(message.split()), p, when)

    def columns_of(self, level: str, sheet: str | None) -> set[str]:
        if level == "file":
            return {f.key for s in self.sheets if s.kind == "form" for f in s.fields}
        return {f.key for s in self.sheets if s.key == sheet for f in s.fields}

    def check_references(self, kind: str, level: str, sheet: str | None, p: dict, w: str, node: Any) -> None:
        known = self.columns_of(level, sheet)
        cols = p.get("columns", [p["column"]] if "column" in p else [])
        if "columns" in p and (not isinstance(p["columns"], list) or not p["columns"]):
            raise self.fail(f"{w}.columns", "expected a non-empty list of column keys", node)
        for col in cols:
            if col not in known:
                raise self.fail(w, f"unknown column {col!r} (known: {', '.join(sorted(known))})", node)
        if kind == "in_list":
            for col in cols:
                spec = self.field_spec(col, level, sheet)
                if spec.list is None:
                    raise self.fail(w, f"column {col!r} has no list to check against", node)
        for ref in p.get("not_after", []):
            if ref not in DATE_REFERENCES:
                raise self.fail(f"{w}.not_after", f"unknown date {ref!r} (allowed: {', '.join(DATE_REFERENCES)})", node)
        if "reference" in p and p["reference"] not in DATE_REFERENCES:
            raise self.fail(f"{w}.reference", f"unknown date {p['reference']!r}", node)
        for key in ("from", "to"):
            if key in p and (isinstance(p[key], dt.datetime) or not isinstance(p[key], dt.date)):
                raise self.fail(f"{w}.{key}", f"expected a date YYYY-MM-DD, found {p[key]!r}", node)
        for key in ("min", "max", "days", "max_age_offset"):
            if key in p and (isinstance(p[key], bool) or not isinstance(p[key], int)):
                raise self.fail(f"{w}.{key}", f"expected a whole number, found {p[key]!r}", node)
        if "counts" in p:
            self.check_counts(p["counts"], f"{w}.counts", node)
        for key in ("person", "deed"):
            if key in p:
                known = self.columns_of("row", "nominations")
                if not isinstance(p[key], list) or not p[key] or set(p[key]) - known:
                    raise self.fail(f"{w}.{key}", f"expected a list of nominations columns, found {p[key]!r}", node)
        if "activity_type" in p and p["activity_type"] not in {i.value for i in self.lists.get("activity_types", ())}:
            raise self.fail(f"{w}.activity_type", f"{p['activity_type']!r} is not in lists.activity_types", node)

    def check_counts(self, counts: Any, w: str, node: Any) -> None:
        summary = {f.key for s in self.sheets if s.key == "summary" for f in s.fields}
        if not isinstance(counts, dict) or not counts:
            raise self.fail(w, "expected a mapping of summary field to a count", node)
        for key, spec in counts.items():
            if key not in summary:
                raise self.fail(w, f"unknown summary field {key!r}", node)
            spec = self.mapping(spec, f"{w}.{key}", {"sheet"}, {"where", "sum"})
            columns = self.columns_of("row", spec["sheet"])
            if not columns:
                raise self.fail(f"{w}.{key}.sheet", f"unknown table sheet {spec['sheet']!r}", node)
            if "sum" in spec and spec["sum"] not in columns:
                raise self.fail(f"{w}.{key}.sum", f"unknown column {spec['sum']!r}", node)
            if "where" in spec:
                self.build_condition(spec["where"], "row", spec["sheet"], f"{w}.{key}", node)

    def field_spec(self, key: str, level: str, sheet: str | None) -> FieldSpec:
        for s in self.sheets:
            if (level == "file" and s.kind == "form") or s.key == sheet:
                for f in s.fields:
                    if f.key == key:
                        return f
        raise KeyError(key)

    def build_condition(self, node: Any, level: str, sheet: str | None, w: str, rule_node: Any) -> Condition:
        n = self.mapping(node, f"{w}.when", {"column"}, {"in", "not_in"})
        if ("in" in n) == ("not_in" in n):
            raise self.fail(f"{w}.when", "give exactly one of `in:` or `not_in:`", n)
        if n["column"] not in self.columns_of(level, sheet) and n["column"] not in self.columns_of("file", None):
            raise self.fail(f"{w}.when.column", f"unknown column {n['column']!r}", n)
        values = self.strings(n, "in" if "in" in n else "not_in", f"{w}.when")
        return Condition(n["column"], values, "not_in" in n)
