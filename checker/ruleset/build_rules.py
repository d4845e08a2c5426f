"""The rules file's `rules:` section: rules, their checks, severities and message templates."""

from __future__ import annotations

import re
import string
from typing import Any

from .build_params import ParamSections
from .kinds import ALL_PARAMS, KINDS, allowed_placeholders
from .spec import CheckSpec, Rule
from .strict_yaml import MAX_SHOWN, _Map, found, shown
from .values import _kind

SEVERITIES = ("error", "warning", "info")
LEVELS = ("row", "file", "campaign")
CHECK_KEYS = {"kind", "severity", "message", "when"}
# A rule's own keys; any other key of a rule is a default for its checks.
OWN_KEYS = {"id", "level", "sheet", "clause", "quote", "title", "checks", "cites", "guide"}
RULE_KEYS = OWN_KEYS | CHECK_KEYS
# What a rule's clause is a clause of: the plan (its messages cite the plan's number) or the template.
CITES = ("plan", "template")
# What the template's guide shows a rule's quote as (besides "Trích kế hoạch"): the nomination criteria.
GUIDE = ("criteria",)
MAX_MESSAGE = 1_000  # characters of a message template (rendered once per finding)


class RuleSections(ParamSections):
    """Builders of the rules and their checks (the sheets must be built first)."""

    def build_rules(self, node: Any, top: dict) -> tuple[Rule, ...]:
        node = self.sections(node, top, "rules")
        rules, ids = [], set()
        for i, r in enumerate(node):
            w = f"rules[{i}]"
            r = self.mapping(r, w, {"id", "level", "clause", "title"}, RULE_KEYS | ALL_PARAMS, parent=node, key=i)
            rid = self.text(r, "id", w)
            if len(rid) > 40 or not re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)+", rid):
                raise self.fail(f"{w}.id", f"rule ids are upper-case ASCII words joined by '-', e.g. AB-CDE, "
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
            defaults = [k for k in r if k not in OWN_KEYS]
            if "checks" in r:
                if "kind" in r or not isinstance(r["checks"], list) or not r["checks"]:
                    raise self.fail(w, "give either `kind:` or a non-empty `checks:` list", r, "checks")
                raw_checks = [_merged(r, defaults, c) if isinstance(c, _Map) else c for c in r["checks"]]
            else:
                raw_checks = [_merged(r, defaults, _Map())]
            checks = tuple(self.build_check(rid, level, sheet, c, f"{w}.checks[{j}]", r.get("checks", r), j)
                           for j, c in enumerate(raw_checks))
            rules.append(Rule(rid, level, sheet, self.text(r, "clause", w), self.text(r, "title", w),
                              self.text(r, "quote", w, "-") if "quote" in r else "", checks,
                              self.choice(r, "cites", w, CITES, "clause source") if "cites" in r else "plan",
                              self.choice(r, "guide", w, GUIDE, "guide part") if "guide" in r else None))
        return tuple(rules)

    def build_check(self, rule_id: str, level: str, sheet: str | None, c: Any, w: str, parent: Any,
                    index: int) -> CheckSpec:
        if not isinstance(c, dict):
            raise self.fail(w, f"a check is a mapping with `kind:`, found {_kind(c)}", parent, index,
                            f"mỗi phép kiểm tra cần là một nhóm khóa có “kind:”, nhưng {found(c)}: hãy viết lại")
        if "kind" not in c:
            raise self.fail(w, "a check needs `kind:`", c, None,
                            "phép kiểm tra này thiếu khóa “kind:” (loại kiểm tra, xem bảng các loại trong README): "
                            "hãy thêm dòng “kind: …”")
        kind = self.choice(c, "kind", w, KINDS, "check kind")
        declared = KINDS[kind]
        params = set(declared.params)
        if (level == "campaign") != (declared.level == "campaign"):
            raise self.fail(f"{w}.kind", f"kind {kind!r} does not fit a {level} rule", c, "kind",
                            f"loại kiểm tra “{kind}” không dùng được cho quy tắc có level “{level}”: hãy đổi “kind:” "
                            "hoặc “level:” (các loại toàn đợt chỉ dùng với level campaign)")
        unknown = sorted(set(c) - CHECK_KEYS - params)
        if unknown:
            allowed = ", ".join(sorted(CHECK_KEYS | params))
            raise self.fail(w, f"unknown key {unknown[0]!r} for kind {kind!r} (allowed: {allowed})", c, unknown[0],
                            f"loại kiểm tra “{kind}” không có khóa “{unknown[0]}” (các khóa dùng được: {allowed}): "
                            "hãy sửa tên khóa nếu gõ nhầm, hoặc xóa dòng này")
        missing = sorted(k for k in params - set(c) if not declared.params[k].optional)
        if missing:
            raise self.fail(w, f"missing key {missing[0]!r} for kind {kind!r}", c, None,
                            f"loại kiểm tra “{kind}” cần khóa “{missing[0]}”: hãy thêm dòng “{missing[0]}: …”")
        severity = c.get("severity")
        if not isinstance(severity, str) or severity not in SEVERITIES:
            raise self.fail(f"{w}.severity", f"expected one of {', '.join(SEVERITIES)}, found {shown(severity)}",
                            c, "severity", f"“severity” phải là một trong: {', '.join(SEVERITIES)}, nhưng "
                                           f"{found(severity)}: hãy chọn một giá trị trong đó")
        message = self.message(c, kind, w)
        p = {k: v for k, v in c.items() if k in params}
        self.check_params(kind, level, sheet, p, w, c)
        when = self.build_condition(c["when"], level, sheet, w, c, "when") if "when" in c else None
        return CheckSpec(rule_id, kind, severity, message, p, when)

    def message(self, c: dict, kind: str, w: str) -> str:
        """A message template: literal text with plain `{name}` placeholders the caller supplies.

        This is what makes the run-time `message.format(**values)` calls (the validation
        pipeline, the engine, consolidation) safe by construction: with no format spec (`{value:>1000000000}` would
        allocate a gigabyte, `{value:d}` raise on a text), no conversion, no attribute access or
        indexing (`{cell.__class__}`), no nested field and only names the caller passes, format can
        do nothing but insert str(value) of a given value.
        """
        value = c.get("message")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{w}.message", "every check needs a Vietnamese message", c, "message")
        self.text(c, "message", w, limit=MAX_MESSAGE)
        allowed = allowed_placeholders(kind)
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


def _merged(rule: _Map, defaults: list[str], check: _Map) -> _Map:
    """A check with the rule-level keys as defaults, keeping the line of every key."""
    out = _Map({**{k: rule[k] for k in defaults}, **check})
    out.line = check.line or rule.line
    out.lines = {**{k: rule.lines[k] for k in defaults if k in rule.lines}, **check.lines}
    return out

