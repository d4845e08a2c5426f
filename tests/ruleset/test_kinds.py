"""The contract of the one kinds table (ruleset.kinds): every kind declared once, implemented, documented, loadable."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.ruleset.kinds import KINDS, allowed_placeholders, markdown_table
from checker.ruleset.loader import load_rules
from checker.validate import registry

ROOT = Path(__file__).resolve().parents[2]
RULES_FILE = ROOT / "rules" / "kh327-2023.yaml"

# The least a rule of each kind needs, as YAML lines after `kind:` (the bundled file's sheets and lists).
MINIMAL = {
    "required": "level: row\n    sheet: nominations\n    columns: [name]",
    "in_list": "level: row\n    sheet: nominations\n    columns: [gender]",
    "year_range": "level: row\n    sheet: nominations\n    column: birth_year\n    min: 1900\n    max_age_offset: 16",
    "blank": "level: row\n    sheet: nominations\n    column: birth_year",
    "date": "level: row\n    sheet: nominations\n    column: deed_date",
    "date_not_before": "level: row\n    sheet: activities\n    column: date\n    not_before: 2022-12-01",
    "max_days_before": "level: row\n    sheet: nominations\n    column: deed_date\n    reference: sent_date\n"
                       "    days: 30",
    "equals": "level: row\n    sheet: nominations\n    columns: [criterion_1]\n    value: \"Có\"",
    "in_values": "level: row\n    sheet: nominations\n    column: level\n    values: [\"Cơ sở\"]",
    "placeholder": "level: row\n    sheet: nominations\n    column: summary\n    values: [\"x\"]",
    "min_length": "level: row\n    sheet: nominations\n    column: summary\n    min: 10",
    "max_length": "level: row\n    sheet: nominations\n    column: summary\n    max: 10",
    "unique": "level: row\n    sheet: nominations\n    columns: [name, birth_year]",
    "whole_number": "level: row\n    sheet: nominations\n    columns: [birth_year]",
    "known_unit": "level: file\n    column: unit",
    "in_cycles": "level: file\n    column: period",
    "min_valid_rows": "level: file\n    min: 1",
    "copied_text": "level: row\n    sheet: nominations\n    column: summary\n    person: [name]\n"
                   "    threshold: 90\n    min_length: 60",
    "monthly_deadline": "level: campaign",
    "summary_deadline": "level: campaign",
    "activity_in_window": "level: campaign\n    activity_type: \"Phát động thi đua\"\n    from: 2023-05-01\n"
                          "    to: 2023-06-30",
    "activity_each_cycle": "level: campaign\n    role: tuyen_truyen\n    activity_type: \"Phát động thi đua\"",
    "summary_matches": "level: campaign\n    counts:\n      total_nominations: {sheet: nominations}",
    "repeat_nomination": "level: campaign\n    person: [name]\n    deed: [deed_date]",
    "earlier_plan_nomination": "level: campaign\n    no_decision: \"chưa có\"",
}


def test_declared_kinds_are_implemented():
    """Every row, file and campaign kind has an implementation, every implementation is declared,
    and the structure kinds (the reader's own findings) have none."""
    structure = {k for k, kind in KINDS.items() if kind.level == "structure"}
    assert set(registry.KINDS) == set(KINDS) - structure


def test_campaign_kinds_name_their_table():
    """A campaign kind says which table it runs on and the column it reports on; no other kind does."""
    assert {k for k, kind in KINDS.items() if kind.table} == {k for k, kind in KINDS.items()
                                                              if kind.level == "campaign"}


def test_readme_lists_every_kind():
    """The README's table of kinds is the one the kinds table renders."""
    assert markdown_table() in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_loader_accepts_a_minimal_rule(tmp_path, kind):
    """The loader accepts a rule of each kind with only its required parameters and every placeholder it allows."""
    spec = MINIMAL.get(kind, "level: file")
    message = " ".join("{" + p + "}" for p in sorted(allowed_placeholders(kind)))
    rule = (f"\n  - id: TEST-KIND\n    clause: \"Mục V\"\n    title: \"t\"\n    severity: error\n"
            f"    kind: {kind}\n    {spec}\n    message: \"{message}\"\n")
    path = tmp_path / "rules.yaml"
    path.write_text(RULES_FILE.read_text(encoding="utf-8").rstrip("\n") + "\n" + rule, encoding="utf-8")
    check = load_rules(path).rule("TEST-KIND").checks[0]
    assert (check.kind, check.message) == (kind, message)
