"""One way to word a finding: render a check's message and build the Finding from its rule and check.

Every stage that reports on an input (reading, normalising, the row and file rules, the campaign
rules) makes its findings here, so a message is rendered one way and a finding carries its rule's
id, clause and citation the same way everywhere.
"""

from __future__ import annotations

import functools
import re
import string
import sys
from typing import Any

from ..model.findings import BLANK, Finding, Location, Severity, fill
from ..ruleset.kinds import COMMON_PLACEHOLDERS
from ..ruleset.spec import CheckSpec, Rule, RuleSet


_DEFAULTS = dict.fromkeys(sorted(COMMON_PLACEHOLDERS), "")  # made once, not per message
# A value of a message's own this short is held once (sys.intern) by every finding that names it: a
# cell ("K5"), a count, a column's label recur in every file.
SHARED_UP_TO = 64


@functools.lru_cache(maxsize=None)
def positional(template: str) -> tuple[str, tuple[str, ...]]:
    """The rules file's template ("Ô {cell} – “{column}” …") as a positional one ("Ô {0} – “{1}” …")
    and the names its positions stand for (a name used twice has one position)."""
    names: list[str] = []
    out = []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        out.append(literal.replace("{", "{{").replace("}", "}}"))
        if field is None:
            continue
        name, rest = re.match(r"([^.\[]*)(.*)", field).groups()  # "a.b", "a[0]": the value is a's
        if name not in names:
            names.append(name)
        out.append("{" + str(names.index(name)) + rest + (f"!{conversion}" if conversion else "")
                   + (f":{spec}" if spec else "") + "}")
    return "".join(out), tuple(names)


def wording(template: str, values: dict[str, Any]) -> tuple[str, tuple]:
    """(positional template, its values) of a message: what a Finding keeps of its text."""
    shape, names = positional(template)
    values = {**_DEFAULTS, **values}
    if values["value"] == "":
        values["value"] = BLANK
    args = tuple(values[name] for name in names)
    return shape, tuple(sys.intern(a) if type(a) is str and len(a) < SHARED_UP_TO else a for a in args)


def render(template: str, values: dict[str, Any]) -> str:
    """A message's text (without its citation) from the rules file's template."""
    return fill(*wording(template, values))


def finding(rules: RuleSet, rule: Rule, check: CheckSpec, where: Location, *, values: dict[str, Any],
            column: str | None = None, value: str | None = None, code: str | None = None) -> Finding:
    """The finding of `check` (one of `rule`'s) at `where`; `values` fill its message's placeholders.
    `code` defaults to the check's kind (a file refused while reading says why instead)."""
    template, args = wording(check.message, values)
    return Finding(rule_id=rule.id, code=code or check.kind, severity=Severity(check.severity), where=where,
                   column=column, value=value, template=template, args=args, clause=rule.clause,
                   citation=rules.citation(rule.id))


def check_of_kind(rules: RuleSet, kind: str) -> tuple[Rule, CheckSpec]:
    """The rule and check of `kind`: how the reading stages find the rule they report under (the
    structure kinds are found while reading, each by one rule of the rules file)."""
    for rule in rules.rules:
        for check in rule.checks:
            if check.kind == kind:
                return rule, check
    raise KeyError(f"the rules have no check of kind {kind!r}")
