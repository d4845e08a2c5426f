"""The one table of check implementations: every row, file and campaign kind's `fails` and `details`.

The kinds themselves (level, parameters, placeholders, words) are declared once, in ruleset.kinds;
each implementation module holds its own table (row_kinds.ROW_KINDS, copy_kinds.COPY_KINDS,
campaign_kinds.CAMPAIGN_KINDS)
and this module joins them, so no module changes another's and the order of imports does not matter.
A contract test checks that the declared and the implemented kinds are the same.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .campaign_kinds import CAMPAIGN_KINDS
from .copy_kinds import COPY_KINDS
from .columns import VALID_ROWS
from .long_texts import plain_columns
from .row_kinds import ROW_KINDS, Context, Details, Fails, applies
from ..ruleset.spec import CheckSpec

KINDS: dict[str, tuple[Fails, Details]] = {**ROW_KINDS, **COPY_KINDS, **CAMPAIGN_KINDS}
# The kinds that read a long-text column's packed texts themselves (validate.long_texts); any other
# kind a rules file puts on one is handed the column unpacked.
READS_PACKED = frozenset({"required", "blank", "placeholder", "min_length", "max_length", "copied_text"})


def target_columns(check: CheckSpec) -> tuple[str, ...]:
    """The frame columns a check reports on (min_valid_rows has no cell: it sits on the counter)."""
    return check.columns or (VALID_ROWS,)


def failing(ctx: Context, frame: pd.DataFrame, check: CheckSpec, column: str) -> pd.Series:
    """True where the cell breaks the check (its `when:` condition included)."""
    fails, _ = KINDS[check.kind]
    if check.kind not in READS_PACKED:
        frame = plain_columns(frame, [column, f"{column}__raw", *([check.when.column] if check.when else [])])
    return (applies(frame, check.when) & fails(ctx, frame, check, column)).fillna(False).astype(bool)


def details(ctx: Context, row: Any, check: CheckSpec, column: str) -> dict[str, Any]:
    """The message placeholders of one failing cell (`row`: that row's values, by column)."""
    return KINDS[check.kind][1](ctx, row, check, column)
