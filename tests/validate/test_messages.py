"""Tests for checker.validate.messages: one way to render a message and to make a finding."""

from __future__ import annotations

import pandas as pd

from checker.model.findings import Cell, File, Severity
from checker.validate.messages import check_of_kind, finding, render
from checker.validate.pipeline import with_valid_rows
from checker.validate.rule_findings import VALID_ROWS


def test_render_fills_common_placeholders_with_blanks():
    """A placeholder every message may use and the caller did not give renders as nothing."""
    assert render("Trang “{sheet}”{cell}.", {"sheet": "Danh sách"}) == "Trang “Danh sách”."


def test_render_says_a_blank_value_is_blank():
    """A blank value reads "ô đang để trống" after "nhận được", and "ô trống" elsewhere."""
    assert render("Ô A1 phải là số (nhận được “{value}”).", {"value": ""}) == "Ô A1 phải là số (ô đang để trống)."
    assert render("Giá trị “{value}” sai.", {"value": ""}) == "Giá trị ô trống sai."
    assert render("Giá trị “{value}” sai.", {"value": "x"}) == "Giá trị “x” sai."


def test_finding_carries_the_rule_and_check(rules):
    """The finding has its rule's id and clause, its check's kind and severity, and the shared citation."""
    rule, check = check_of_kind(rules, "unreadable")
    f = finding(rules, rule, check, File("a.xlsx"), values={"value": "hỏng"}, value="hỏng", code="corrupt")
    assert (f.rule_id, f.code, f.severity, f.clause) == (rule.id, "corrupt", Severity(check.severity), rule.clause)
    assert f.citation == rules.citation(rule.id) and f.message == f.text + f.citation
    assert "hỏng" in f.text and f.file == "a.xlsx"


def test_finding_code_defaults_to_the_kind(rules):
    """Without a code, a finding's code is its check's kind."""
    rule, check = check_of_kind(rules, "normalised")
    f = finding(rules, rule, check, Cell("a.xlsx", "S", 3, 2), values={"expected": "Nam", "value": "nam"})
    assert (f.code, f.cell) == ("normalised", "B3")


def test_check_of_kind_is_found_by_kind_not_id(rules):
    """The reading stages find their rule by the kind of its check, whatever the rule's id."""
    for kind in ("template_sheet", "template_version", "cell_too_long", "formula_without_value", "legacy_text"):
        rule, check = check_of_kind(rules, kind)
        assert check.kind == kind and check in rule.checks


def test_with_valid_rows_returns_a_new_table():
    """The count of error-free rows per file is a new column of a new table; the input is untouched."""
    files = pd.DataFrame({"_file": [0, 1, 2]})
    rows = pd.DataFrame({"_file": [0, 0, 1, 1]})
    counted = with_valid_rows(files, rows, errors={1, 2, 3})
    assert counted[VALID_ROWS].tolist() == [1, 0, 0]
    assert list(files.columns) == ["_file"]
    assert with_valid_rows(files, None, set())[VALID_ROWS].tolist() == [0, 0, 0]
