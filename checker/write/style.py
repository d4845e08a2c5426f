"""Looks every writer shares: the fill of each severity, and how tall a row of wrapped text is."""

from __future__ import annotations

import textwrap
from typing import Iterable

from ..model.findings import Severity

# The fill of a cell with a finding, by its most serious severity (RGB hex, no "#").
SEVERITY_FILL = {Severity.ERROR: "FFC7CE", Severity.WARNING: "FFEB9C", Severity.INFO: "DDEBF7"}

LINE_HEIGHT = 15  # points per line of 11-point text


def wrapped_lines(text: str, width: int, most: int = 12) -> int:
    """Roughly how many lines a wrapped text takes in a column `width` characters wide (at most `most`)."""
    if not text:
        return 1
    return min(most, sum(1 + len(part) // max(1, int(width * 1.1)) for part in text.split("\n")))


def row_height(texts: Iterable[tuple[str, int]], most: int = 12) -> float | None:
    """The height a row needs for its wrapped (text, column width) pairs; None for one line (the
    default height)."""
    lines = max((wrapped_lines(text, width, most) for text, width in texts), default=1)
    return LINE_HEIGHT * lines if lines > 1 else None


def text_height(texts, widths, bold: bool = False) -> float:
    """Row height (points) that shows each text wrapped in its column width (Excel width units).

    Neither Excel nor LibreOffice reliably grows rows for wrapped text written by xlsxwriter, so
    rows holding long text get an explicit height from this estimate (11 pt serif text, as in the template;
    row_height above is the consolidated workbook's, for its sans-serif text).
    """
    per_unit = 1.1 if bold else 1.3  # characters per width unit, on the safe side
    lines = max(len(textwrap.wrap(t, max(int((w - 1) * per_unit), 4))) or 1 for t, w in zip(texts, widths))
    return 15.0 * lines + 3
