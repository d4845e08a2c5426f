"""The rules file: the bundled KH 327 rules load, and every malformed file gives its own clear error."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from checker.validate import registry as checks
from checker.model.errors import RuleFileError
from checker.ruleset.kinds import KINDS
from checker.ruleset.loader import load_rules

from ..conftest import PLAN_TEXT, ROOT

RULES_FILE = ROOT / "rules" / "kh327-2023.yaml"


def test_bundled_rules_load(rules):
    """The bundled file loads with the plan's identity, 24 units (9 phòng, 15 đơn vị) and 5 cycles."""
    assert rules.plan.number == "327/KH-SVHTT"
    assert (rules.plan.start.isoformat(), rules.plan.end.isoformat()) == ("2023-04-27", "2023-10-10")
    assert len(rules.units) == 24
    assert sum(u.kind == "phòng" for u in rules.units) == 9
    assert rules.deadlines.cycles == ("2023-05", "2023-06", "2023-07", "2023-08", "2023-09")
    assert rules.deadlines.policy == "strict_before"


def test_rule_ids_unique_with_message_and_clause(rules):
    """Every rule id is unique, and every check has a severity, a Vietnamese message and the rule a clause."""
    ids = [r.id for r in rules.rules]
    assert len(ids) == len(set(ids))
    for rule in rules.rules:
        assert rule.clause.strip()
        for check in rule.checks:
            assert check.severity in ("error", "warning", "info")
            assert check.message.strip()


def test_spec_rules_present(rules):
    """The rule catalogue of the SPEC is all there."""
    spec = {"DN-BATBUOC", "DN-DANHMUC", "DN-NAMSINH", "DN-NGAY", "DN-KIPTHOI", "DN-TIEUCHI", "DN-MINHCHUNG",
            "DN-TOMTAT", "DN-CAP", "DN-TRUNG", "DV-DONVI", "DV-KY", "DV-THUTRUONG", "DV-KEHOACH", "DV-TOITHIEU",
            "DV-MAU", "HD-75NAM", "HD-TUYENTRUYEN", "HAN-THANG", "HAN-TONGKET", "TK-KHOP"}
    assert spec <= {r.id for r in rules.rules}


def test_quotes_are_exact_plan_text(rules):
    """Every quote of the plan in the rules file stands in the plan text, word for word."""
    plan = " ".join(PLAN_TEXT.read_text(encoding="utf-8").split())
    quotes = [r.quote for r in rules.rules if r.quote]
    quotes += [rules.deadlines.monthly_quote, rules.deadlines.summary_quote]
    assert len(quotes) >= 8
    for quote in quotes:
        assert quote in plan, quote


def test_all_text_is_nfc(rules):
    """Everything a person reads in the rules file is NFC."""
    text = RULES_FILE.read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", text) == text


def test_every_kind_is_implemented():
    """Every check kind the loader accepts has an implementation, or is a reading/campaign kind handled in code."""
    structure = {k for k, kind in KINDS.items() if kind.level == "structure"}
    assert set(KINDS) == set(checks.KINDS) | structure
    assert {k for k, kind in KINDS.items() if kind.level == "campaign"} == {k for k, kind in KINDS.items() if kind.table}


def _broken(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = RULES_FILE.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize("old, new, expected", [
    ("  year: 2023\n", "  year: 2023\n  colour: red\n", r"plan: unknown key 'colour'"),
    ("  - id: DN-DANHMUC\n", "  - id: DN-BATBUOC\n", r"duplicate rule id 'DN-BATBUOC'"),
    ("list: genders,", "list: sexes,", r"unknown list 'sexes'"),
    ("  end: 2023-10-10", "  end: 10/10/2023", r"plan.end: expected a date YYYY-MM-DD"),
    ("    due: 2023-08-15", "    due: 2023-13-45", r"malformed value \(month must be in 1..12\); dates are YYYY-MM-DD"),
    ("  policy: strict_before", "  policy: whenever", r"unknown policy 'whenever'"),
    ("cycles: [2023-05,", "cycles: [2023-5,", r"malformed cycle '2023-5'"),
    ("phải là một trong: {values}", "phải là một trong: {valeus}", r"unknown placeholder \{valeus\}"),
    ("    kind: in_list\n    columns: [kind, gender,", "    kind: in_list\n    columns: [kind, sex,",
     r"unknown column 'sex'"),
    ("    severity: warning\n    kind: max_days_before", "    severity: serious\n    kind: max_days_before",
     r"severity: expected one of error, warning, info, found 'serious'"),
    ("    kind: max_days_before", "    kind: teleport", r"unknown check kind 'teleport'"),
    ("    days: 60", "    days: sixty", r"days: expected a whole number"),
    ("  number: \"327/KH-SVHTT\"\n", "  number: \"327/KH-SVHTT\"\n  number: \"328\"\n", r"duplicate key 'number'"),
])
def test_malformed_rules_give_specific_errors(tmp_path, old, new, expected):
    """Each malformed rules file is a RuleFileError naming the file, the place and the problem."""
    path = _broken(tmp_path, old, new)
    with pytest.raises(RuleFileError) as info:
        load_rules(path)
    assert re.search(expected, str(info.value)), str(info.value)
    assert str(path) in str(info.value)


def test_error_carries_line_number(tmp_path):
    """A rules-file error points at the line of the offending mapping."""
    path = _broken(tmp_path, "  year: 2023\n", "  year: 2023\n  colour: red\n")
    with pytest.raises(RuleFileError) as info:
        load_rules(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert info.value.line is not None and lines[info.value.line - 1].startswith("plan:") is False
    assert "plan" in info.value.where


def test_missing_and_unreadable_file(tmp_path):
    """A missing file or one that is not UTF-8 is a clear RuleFileError, not a crash."""
    with pytest.raises(RuleFileError, match="cannot read the rules file"):
        load_rules(tmp_path / "nope.yaml")
    bad = tmp_path / "latin.yaml"
    bad.write_bytes(b"plan: H\xe0 N\xf4i")
    with pytest.raises(RuleFileError, match="not UTF-8"):
        load_rules(bad)


def test_changed_rules_change_behaviour(tmp_path):
    """A changed rules file is a different plan: the new cycle and policy are in force."""
    path = _broken(tmp_path, "cycles: [2023-05,", "cycles: [2023-04, 2023-05,")
    path.write_text(path.read_text(encoding="utf-8").replace("policy: strict_before", "policy: inclusive"),
                    encoding="utf-8")
    loaded = load_rules(path)
    assert loaded.deadlines.cycles[0] == "2023-04"
    assert loaded.deadlines.policy == "inclusive"
