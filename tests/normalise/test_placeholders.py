"""Tests for checker.normalise.placeholders: fillers compared by meaning, not by spelling."""

from __future__ import annotations

import pandas as pd
import pytest

from checker.normalise.placeholders import is_placeholder, placeholder_key, placeholder_mask

FILLERS = ["x", "như trên", "nt", "đang cập nhật", "chưa có", "n/a", "không"]
KEYS = frozenset(placeholder_key(v) for v in FILLERS)


@pytest.mark.parametrize(("value", "key"), [
    ("Như trên.", "nhu tren"),
    ("(như trên)", "nhu tren"),
    ("  NHƯ   TRÊN…", "nhu tren"),
    ("Như tre\u0302n", "nhu tren"),  # NFD, as some Mac and web forms store it
    ("Đang cập nhật...", "dang cap nhat"),
    ("N/A", "n a"),
    ("n/a", "n a"),
    ("x.", "x"),
    ("[X]", "x"),
    ("…", ""),
    ("- . -", ""),
    ("Anh A, 35 tuổi", "anh a 35 tuoi"),
])
def test_placeholder_key(value, key):
    """Case, diacritics, đ, punctuation, brackets, ellipses and spaces do not change the key."""
    assert placeholder_key(value) == key


@pytest.mark.parametrize(("value", "expected"), [
    ("Như trên.", True), ("(nt)", True), ("chưa có.", True), ("Không!", True), ("???", True), ("—", True),
    ("Như trên đã nêu, anh A đã cứu người", False), ("Xây dựng nếp sống văn minh", False),
    ("Không ngại khó, cứu người", False), ("2023", False),
])
def test_is_placeholder(value, expected):
    """A listed filler in any spelling, or a cell without a letter or digit, is a placeholder; a text is not."""
    assert is_placeholder(value, KEYS) is expected


def test_mask_catches_long_punctuation_and_skips_long_text():
    """The mask sees a long run of dots (no letter) and never keys a long summary."""
    values = pd.Series(["." * 200, "Như trên. " + "Đồng chí đã cứu người. " * 10, "NT"], index=[5, 6, 7])
    assert placeholder_mask(values, FILLERS).tolist() == [True, False, True]
    assert placeholder_mask(values, FILLERS).index.tolist() == [5, 6, 7]
