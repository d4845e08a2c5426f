"""Finding labels among a sheet's cells: a label however padded is found; a long text is not keyed."""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from checker.api import check_workbook
from checker.read.labels import LabelIndex, label_index, label_key
from checker.read.workbook import read_workbook
from checker.ruleset.loader import load_rules

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_workbooks" / "thang_07" / "VP_thang07.xlsx"  # a clean file: no finding at all


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def nominations(rules):
    return next(s for s in rules.sheets if s.kind == "table")


def test_a_label_padded_past_the_longest_one_is_still_found(rules):
    index = label_index(nominations(rules).fields)
    for spec in nominations(rules).fields:
        padded = f"  {spec.label.upper()} (*)\n" + " ." * index.most + "\t"
        assert len(padded) > index.most
        assert index.field(padded) == spec.key, spec.label


def test_a_text_with_more_letters_than_any_label_is_not_keyed(rules):
    index = label_index(nominations(rules).fields)
    summary = "Tham gia hiến máu tình nguyện " * 40
    misses = label_key.cache_info().misses
    assert index.field(summary) is None
    assert index.field("x" * (index.most + 1)) is None
    assert label_key.cache_info().misses == misses  # neither was keyed
    assert index.field("x" * index.most) is None  # keyed, and no label
    assert [index.field(v) for v in ("", "   ", None, 5, 2.5)] == [None] * 5


def test_a_workbook_whose_header_label_is_padded_reads_the_same(rules, tmp_path):
    """A real file, its nominations header's name label padded with spaces, dots and a line
    break past the longest label: the same columns and rows are read, and no finding appears."""
    before = read_workbook(SAMPLE.name, SAMPLE.read_bytes(), rules)
    spec = nominations(rules)
    table = before.tables[spec.key]
    col = table.columns[spec.key_of("nominee")]
    edited = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, edited)
    wb = openpyxl.load_workbook(edited)
    ws = wb[table.sheet_name]
    label = ws.cell(table.header_row, col).value
    ws.cell(table.header_row, col).value = f"{label}\n" + " . " * 60
    wb.save(edited)
    after = read_workbook(edited.name, edited.read_bytes(), rules)
    got = after.tables[spec.key]
    assert (got.header_row, got.columns, got.rows) == (table.header_row, table.columns, table.rows)
    assert check_workbook(edited, rules, as_of=dt.date(2023, 10, 10)).findings == []


@dataclass(frozen=True)
class Label:  # what LabelIndex reads of a field
    key: str
    label: str


def test_a_label_typed_in_decomposed_form_is_found_whatever_its_script():
    """Counting letters before NFC would see Hangul jamo (letters each) where keying sees one
    syllable: a decomposed label longer than the longest one must still be found."""
    index = LabelIndex((Label("name", "이름"), Label("other", "b")))
    typed = unicodedata.normalize("NFD", "이름")
    assert len(typed) > index.most
    assert index.field(typed) == "name"
    assert index.field(unicodedata.normalize("NFD", "Họ và tên người")) is None  # more letters than any label
