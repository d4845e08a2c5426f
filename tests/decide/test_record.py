"""Tests for checker.decide.record: how a submission's own cells are named in a rejection reason."""

from __future__ import annotations

import pandas as pd

from checker.decide.record import _cell_words


def test_cell_words_use_the_rules_label(rules):
    """The reason names the field by its label in the rules file, found by role, and what it held."""
    key = rules.field_key("unit")
    label = next(f.label for s in rules.sheets for f in s.fields if f.key == key)
    assert _cell_words(rules, "unit", pd.Series({f"{key}__raw": "Sở X"})) == f"ô “{label}” ghi “Sở X”"
    assert _cell_words(rules, "unit", pd.Series({f"{key}__raw": ""})) == f"ô “{label}” đang để trống"
