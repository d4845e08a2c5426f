"""One way to word a finding: render a check's message and build the Finding from its rule and check.

Every stage that reports on an input (reading, normalising, the row and file rules, the campaign
rules) makes its findings here, so a message is rendered one way and a finding carries its rule's
id, clause and citation the same way everywhere.
"""

from __future__ import annotations

from typing import Any

from ..model.findings import Finding, Location, Severity
from ..ruleset.kinds import COMMON_PLACEHOLDERS
from ..ruleset.spec import CheckSpec, Rule, RuleSet


# A blank cell reads "ô đang để trống" ("the cell is empty"), not an empty pair of quotes.
_BLANK = "\x00"
_BLANK_WORDS = ((f"nhận được “{_BLANK}”", "ô đang để trống"), (f"“{_BLANK}”", "ô trống"))


_DEFAULTS = dict.fromkeys(sorted(COMMON_PLACEHOLDERS), "")  # made once, not per message


def render(template: str, values: dict[str, Any]) -> str:
    """A message's text (without its citation) from the rules file's template."""
    values = {**_DEFAULTS, **values}
    if values["value"] == "":
        values["value"] = _BLANK
    text = template.format(**values)
    if _BLANK in text:
        for blank, words in _BLANK_WORDS:
            text = text.replace(blank, words)
    return text


def finding(rules: RuleSet, rule: Rule, check: CheckSpec, where: Location, *, values: dict[str, Any],
            column: str | None = None, value: str | None = None, code: str | None = None) -> Finding:
    """The finding of `check` (one of `rule`'s) at `where`; `values` fill its message's placeholders.
    `code` defaults to the check's kind (a file refused while reading says why instead)."""
    return Finding(rule_id=rule.id, code=code or check.kind, severity=Severity(check.severity), where=where,
                   column=column, value=value, text=render(check.message, values), clause=rule.clause,
                   citation=rules.citation(rule.id))


def check_of_kind(rules: RuleSet, kind: str) -> tuple[Rule, CheckSpec]:
    """The rule and check of `kind`: how the reading stages find the rule they report under (the
    structure kinds are found while reading, each by one rule of the rules file)."""
    for rule in rules.rules:
        for check in rule.checks:
            if check.kind == kind:
                return rule, check
    raise KeyError(f"the rules have no check of kind {kind!r}")
