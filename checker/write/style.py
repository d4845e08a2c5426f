"""Looks every writer shares: the fill of each severity, and how tall a row of wrapped text is."""

from __future__ import annotations

import re
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
    lines = max(wrap_count(t, max(int((w - 1) * per_unit), 4)) or 1 for t, w in zip(texts, widths))
    return 15.0 * lines + 3


# textwrap's own whitespace (what replace_whitespace turns into spaces) and any other space
_ASCII_SPACES = str.maketrans({c: " " for c in "\t\n\x0b\x0c\r"})
_OTHER_SPACE = re.compile(r"[^\S\t\n\x0b\x0c\r ]")
_SPACE_RUN = re.compile(" *")


def wrap_count(text: str, width: int) -> int:
    """len(textwrap.wrap(text, width)), the same number, at a fraction of the cost.

    Wrapping every long summary of a city's lists with textwrap took most of the writer's time
    (its chunking regex looks around every hyphen). Without a hyphen or a non-ASCII space a text's
    chunks are runs of spaces and of non-spaces, and textwrap's _wrap_chunks can be followed a line
    at a time: a line takes the chunks that end within `width`; a chunk longer than a line gives it
    its head; from the second line on a line's leading space is dropped, and always its trailing
    space. Any other text goes to textwrap itself.
    """
    if "-" in text or _OTHER_SPACE.search(text):
        return len(textwrap.wrap(text, width))
    s = text.expandtabs().translate(_ASCII_SPACES)
    n, p, lines = len(s), 0, 0
    while p < n:
        if lines and s[p] == " ":
            p = _SPACE_RUN.match(s, p).end()
            if p >= n:
                break
        limit = p + width
        if limit >= n:  # the rest fits
            lines += bool(s[p:].strip(" "))
            break
        if (s[limit - 1] == " ") != (s[limit] == " "):
            q = limit  # a chunk ends at the line's end
        elif s[limit] == " ":
            q = p + len(s[p:limit].rstrip(" "))  # the space run across the end starts here
        else:
            q = max(s.rfind(" ", p, limit) + 1, p)  # the word across the end starts here
        if s[q] == " ":
            after = _SPACE_RUN.match(s, q).end()  # the end of the chunk that starts at q
        else:
            after = s.find(" ", q)
            after = n if after < 0 else after
        if after - q > width:  # the next chunk is longer than a line: its head ends this one
            head_is_space = s[q] == " " or q == limit
            lines += bool(q > p or not head_is_space)
            p = limit
        else:
            lines += bool(s[p:q].strip(" "))
            p = q
    return lines
