"""Who a row is about: one comparison key per person (or collective) from the columns that name them.

Used to find a person listed twice in one file (the `unique` kind) and a person and deed put
forward again in a later cycle (the `repeat_nomination` kind): both must agree on who is who.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from .text import person_key


def key_part(value: Any) -> str:
    """One column's share of the key: a name folded for comparison, a date as YYYY-MM-DD, a number
    without its ".0" (a year read as 1985.0), a blank as ""."""
    if isinstance(value, str):
        return person_key(value)
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()[:10]
    return "" if pd.isna(value) else str(int(value)) if isinstance(value, float) else str(value)


def person_keys(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Per row: the parts of `columns` joined by "|"."""
    parts = [[key_part(v) for v in frame[column].tolist()] for column in columns]
    return pd.Series(["|".join(values) for values in zip(*parts)], index=frame.index, dtype="object")
