"""Who a row is about: one comparison key per person (or collective) from the columns that name them.

Used to find a person listed twice in one file (the `unique` kind) and a person and deed put
forward again in a later cycle (the `repeat_nomination` kind): both must agree on who is who.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ..model.packed import unpacked
from .text import nfc, person_key


def key_part(value: Any) -> str:
    """One column's share of the key: a name folded for comparison, a date as YYYY-MM-DD, a number
    without its ".0" (a year read as 1985.0), a blank as "". A packed text (model.packed) by its words."""
    value = unpacked(value)
    if isinstance(value, str):
        return person_key(value)
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()[:10]
    return "" if pd.isna(value) else str(int(value)) if isinstance(value, float) else str(value)


def identity_parts(name: Any, *others: Any) -> tuple[str, ...]:
    """Who a row is about, as a correction, a council's decision and the register's nominees compare
    it: the name with its diacritics (only case and spacing do not count: "Lê Thị Hoa" and "Lê Thị
    Hòa" are two people), then each other value's :func:`key_part` (a birth year 1985, 1985.0 or
    "1985" alike; a blank "")."""
    name = unpacked(name)
    first = " ".join(nfc(name).split()).casefold() if isinstance(name, str) else key_part(name)
    return (first, *(key_part(v) for v in others))


def identity_key(name: Any, *others: Any) -> str:
    """:func:`identity_parts` joined by "|": one text per person (name, birth year) or thing."""
    return "|".join(identity_parts(name, *others))


def person_keys(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Per row: the parts of `columns` joined by "|"."""
    parts = [_column_parts(frame[column].tolist()) for column in columns]
    return pd.Series(["|".join(values) for values in zip(*parts)], index=frame.index, dtype="object")


def _column_parts(values: list[Any]) -> list[str]:
    """key_part of each value, computed once per distinct value (by type too: True is not 1)."""
    keyed: dict[tuple[type, Any], str] = {}
    out = []
    for v in values:
        k = (type(v), v)
        try:
            part = keyed.get(k)
            if part is None:
                part = keyed[k] = key_part(v)
        except TypeError:  # an unhashable value: keyed on its own
            part = key_part(v)
        out.append(part)
    return out
