"""Frame columns that hold packed long texts (model.packed): telling them, and reading them a slice of
rows at a time, so that the words of a city's summaries are never all held as strings at once."""

from __future__ import annotations

from typing import Callable, Iterator

import numpy as np
import pandas as pd

from ..model.packed import Packed, text_length, unpacked

SLICE = 10_000  # rows unpacked at a time: ~7 MB of summaries as strings


def holds_packed(series: pd.Series) -> bool:
    """True if any value of `series` is packed (only a column of Python objects can hold one)."""
    return series.dtype == object and any(type(v) is Packed for v in series.to_numpy())


def lengths(series: pd.Series) -> pd.Series:
    """Each text's length in characters (0 for a blank), packed or not, without unpacking."""
    return pd.Series([text_length(v) for v in series.to_numpy()], index=series.index, dtype="int64")


def plain(series: pd.Series) -> pd.Series:
    """`series` with its packed texts unpacked: a whole column of words, for a few rows only."""
    if not holds_packed(series):
        return series
    return pd.Series([unpacked(v) for v in series.to_numpy()], index=series.index, dtype=object)


def slices(series: pd.Series) -> Iterator[pd.Series]:
    """`series` SLICE rows at a time, each unpacked."""
    for start in range(0, len(series), SLICE):
        yield plain(series.iloc[start:start + SLICE])


def by_slices(series: pd.Series, verdict: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """verdict(series) computed a slice at a time where the series holds packed texts."""
    if not holds_packed(series):
        return verdict(series)
    parts = [verdict(part) for part in slices(series)]
    return pd.concat(parts) if parts else pd.Series(np.zeros(0, dtype=bool), index=series.index)


def plain_columns(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`frame`, or a shallow copy of it with those of `columns` that hold packed texts unpacked: for
    a check kind written for plain texts, given a long-text column by a rules file."""
    packed = [c for c in dict.fromkeys(columns) if c in frame.columns and holds_packed(frame[c])]
    if not packed:
        return frame
    view = frame.copy(deep=False)
    for c in packed:
        view[c] = plain(frame[c])
    return view
