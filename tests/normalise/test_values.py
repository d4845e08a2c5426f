"""Tests for checker.normalise.values: typed values from raw cells (dates day-first, whole numbers, years, periods)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from checker.normalise.text import strip_diacritics
from checker.normalise.values import (
    as_text,
    from_serial,
    is_blank,
    parse_date,
    parse_period,
    parse_whole,
    parse_year,
)

D = dt.date


# ---------------------------------------------------------------------------------------------
# parse_date

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # blanks are not dates, and not invalid either (the "required" rules speak for them)
        pytest.param(None, (None, "ok"), id="none"),
        pytest.param("", (None, "ok"), id="empty"),
        pytest.param("   ", (None, "ok"), id="spaces"),
        pytest.param(math.nan, (None, "ok"), id="nan"),
        # real dates, as a spreadsheet library returns them
        pytest.param(D(2023, 5, 3), (D(2023, 5, 3), "ok"), id="date"),
        pytest.param(dt.datetime(2023, 5, 3), (D(2023, 5, 3), "ok"), id="datetime-midnight"),
        pytest.param(dt.datetime(2023, 5, 3, 14, 30), (D(2023, 5, 3), "ok"), id="datetime-with-time"),
        # Excel serial numbers (a date cell formatted as General)
        pytest.param(45049, (D(2023, 5, 3), "converted"), id="serial-int"),
        pytest.param(45049.0, (D(2023, 5, 3), "converted"), id="serial-float"),
        pytest.param(61, (D(1900, 3, 1), "converted"), id="serial-after-1900-leap-bug"),
        pytest.param(2_958_465, (D(9999, 12, 31), "converted"), id="serial-max"),
        pytest.param(45049.5, (None, "invalid"), id="serial-fraction"),
        pytest.param(0, (None, "invalid"), id="serial-zero"),
        pytest.param(-5, (None, "invalid"), id="serial-negative"),
        pytest.param(2_958_466, (None, "invalid"), id="serial-too-big"),
        pytest.param(True, (None, "invalid"), id="bool"),
        # text dates: day first, always
        pytest.param("03/05/2023", (D(2023, 5, 3), "converted"), id="dmy-3-may-not-5-march"),
        pytest.param("12/05/2023", (D(2023, 5, 12), "converted"), id="dmy-12-may-not-5-december"),
        pytest.param("3/5/2023", (D(2023, 5, 3), "converted"), id="dmy-one-digit"),
        pytest.param("03.05.2023", (D(2023, 5, 3), "converted"), id="dmy-dots"),
        pytest.param("03-05-2023", (D(2023, 5, 3), "converted"), id="dmy-dashes"),
        pytest.param(" 03/05/2023 ", (D(2023, 5, 3), "converted"), id="dmy-surrounding-spaces"),
        pytest.param("29/02/2024", (D(2024, 2, 29), "converted"), id="dmy-leap-day"),
        pytest.param("15/6/23", (D(2023, 6, 15), "converted"), id="dmy-two-digit-year-is-20yy"),
        pytest.param("15-6-2023", (D(2023, 6, 15), "converted"), id="dmy-dashes-one-digit-month"),
        pytest.param("15.06.2023", (D(2023, 6, 15), "converted"), id="dmy-dots-15-june"),
        pytest.param("15/06/2023", (D(2023, 6, 15), "converted"), id="dmy-15-june"),
        pytest.param("15 / 06 / 2023", (D(2023, 6, 15), "converted"), id="dmy-spaced"),
        pytest.param("ngày 15 tháng 6 năm 2023", (D(2023, 6, 15), "converted"), id="words-ngay-thang-nam"),
        pytest.param("15 tháng 6 năm 2023", (D(2023, 6, 15), "converted"), id="words-thang-nam"),
        pytest.param("  Ngày  15   tháng  06  năm   2023 ", (D(2023, 6, 15), "converted"), id="words-spaces-case"),
        pytest.param("nga\u0300y 15 tha\u0301ng 6 na\u0306m 2023", (D(2023, 6, 15), "converted"), id="words-nfd"),
        pytest.param("ngày 15 tháng 6 năm 23", (D(2023, 6, 15), "converted"), id="words-two-digit-year"),
        pytest.param("ngày 31 tháng 2 năm 2023", (None, "invalid"), id="words-31-february"),
        pytest.param("31/02/23", (None, "invalid"), id="dmy-two-digit-31-february"),
        pytest.param("15/6/023", (None, "invalid"), id="dmy-three-digit-year"),
        pytest.param("2023/06/15", (None, "invalid"), id="year-first-slashes-ambiguous"),
        pytest.param("32/13/2023", (None, "invalid"), id="dmy-day-32-month-13"),
        pytest.param("tháng 6 năm 2023", (None, "invalid"), id="words-no-day"),
        pytest.param("05/31/2023", (None, "invalid"), id="mdy-never-guessed"),
        pytest.param("31/02/2023", (None, "invalid"), id="dmy-31-february"),
        pytest.param("29/02/2023", (None, "invalid"), id="dmy-29-february-common-year"),
        pytest.param("00/05/2023", (None, "invalid"), id="dmy-day-zero"),
        pytest.param("01/13/2023", (None, "invalid"), id="dmy-month-13"),
        pytest.param("32/01/2023", (None, "invalid"), id="dmy-day-32"),
        # ISO text is accepted (what some tools export)
        pytest.param("2023-05-03", (D(2023, 5, 3), "converted"), id="iso"),
        pytest.param("2023-05-03 00:00:00", (D(2023, 5, 3), "converted"), id="iso-midnight"),
        pytest.param("2023-05-03T00:00", (D(2023, 5, 3), "converted"), id="iso-T-midnight"),
        pytest.param("2023-02-30", (None, "invalid"), id="iso-30-february"),
        # anything else is invalid
        pytest.param("hôm qua", (None, "invalid"), id="words"),
        pytest.param("tháng 5/2023", (None, "invalid"), id="month-only"),
        pytest.param("03/05", (None, "invalid"), id="no-year"),
        pytest.param("03/05/2023 và 04/05/2023", (None, "invalid"), id="two-dates"),
    ],
)
def test_parse_date(raw, expected):
    """A cell becomes a date only as a real date, a whole serial or a day-first (or ISO) text date."""
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("serial", "expected"),
    [(45049, D(2023, 5, 3)), (45061, D(2023, 5, 15)), (61, D(1900, 3, 1)), (0, None), (1.5, None),
     (2_958_466, None)],
)
def test_from_serial(serial, expected):
    """Excel serial numbers map to the dates Excel shows (from 1 March 1900 on), else None."""
    assert from_serial(serial) == expected


# ---------------------------------------------------------------------------------------------
# parse_whole

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(None, (None, "ok"), id="none"),
        pytest.param("", (None, "ok"), id="empty"),
        pytest.param(0, (0, "ok"), id="zero"),
        pytest.param(1985, (1985, "ok"), id="int"),
        pytest.param(1985.0, (1985, "ok"), id="integral-float"),
        pytest.param("1985", (1985, "ok"), id="text"),
        pytest.param(" 1985 ", (1985, "ok"), id="text-spaces"),
        pytest.param("+12", (12, "ok"), id="text-plus"),
        pytest.param(1985.5, (None, "invalid"), id="fraction"),
        pytest.param("2,5", (None, "invalid"), id="text-decimal-comma"),
        pytest.param("1.985", (None, "invalid"), id="text-thousands-dot"),
        pytest.param("198x", (None, "invalid"), id="text-198x"),
        pytest.param("khoảng 50", (None, "invalid"), id="words"),
        pytest.param("3 bài", (None, "invalid"), id="number-with-unit"),
        pytest.param(True, (None, "invalid"), id="bool"),
        pytest.param(D(2023, 5, 3), (None, "invalid"), id="date"),
    ],
)
def test_parse_whole(raw, expected):
    """Whole numbers are accepted typed as numbers or as plain digit text, nothing looser."""
    assert parse_whole(raw) == expected


# ---------------------------------------------------------------------------------------------
# parse_year

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(None, (None, "ok"), id="none"),
        pytest.param(1985, (1985, "ok"), id="int"),
        pytest.param(1985.0, (1985, "ok"), id="float"),
        pytest.param("1985", (1985, "ok"), id="text"),
        pytest.param(D(1985, 3, 2), (1985, "converted"), id="date"),
        pytest.param(dt.datetime(1985, 3, 2), (1985, "converted"), id="datetime"),
        pytest.param("02/03/1985", (1985, "converted"), id="text-date-dmy"),
        pytest.param("1985-03-02", (1985, "converted"), id="text-date-iso"),
        pytest.param("31/02/1985", (None, "invalid"), id="text-date-impossible"),
        pytest.param("198x", (None, "invalid"), id="text-198x"),
        pytest.param("năm 1985", (None, "invalid"), id="words"),
        pytest.param(1985.5, (None, "invalid"), id="fraction"),
    ],
)
def test_parse_year(raw, expected):
    """A year is a whole number; a full date in the year column gives its year, flagged as converted."""
    assert parse_year(raw) == expected


# ---------------------------------------------------------------------------------------------
# parse_period

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(None, (None, "ok"), id="none"),
        pytest.param("", (None, "ok"), id="empty"),
        pytest.param("Tháng 05/2023", ("2023-05", "ok"), id="template-label"),
        pytest.param("tháng 5/2023", ("2023-05", "ok"), id="lowercase-one-digit"),
        pytest.param("THÁNG 5 / 2023", ("2023-05", "ok"), id="uppercase-spaced"),
        pytest.param("tháng 5 năm 2023", ("2023-05", "ok"), id="words"),
        pytest.param("Thang 05/2023", ("2023-05", "ok"), id="no-diacritics"),
        pytest.param("5/2023", ("2023-05", "ok"), id="m-yyyy"),
        pytest.param("05-2023", ("2023-05", "ok"), id="mm-yyyy-dash"),
        pytest.param("05.2023", ("2023-05", "ok"), id="mm-yyyy-dot"),
        pytest.param("2023-05", ("2023-05", "ok"), id="iso-month"),
        pytest.param("2023-5", ("2023-05", "ok"), id="iso-month-one-digit"),
        pytest.param(D(2023, 5, 1), ("2023-05", "converted"), id="date"),
        pytest.param(dt.datetime(2023, 6, 15), ("2023-06", "converted"), id="datetime"),
        pytest.param("Tháng 13/2023", (None, "invalid"), id="month-13"),
        pytest.param("Tháng 0/2023", (None, "invalid"), id="month-0"),
        pytest.param("Quý II/2023", (None, "invalid"), id="quarter"),
        pytest.param("tháng năm", (None, "invalid"), id="no-numbers"),
    ],
)
def test_parse_period(raw, expected):
    """A report month is read from the template's label and the usual ways of writing a month."""
    assert parse_period(raw, strip_diacritics) == expected


# ---------------------------------------------------------------------------------------------
# as_text and is_blank

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(None, "", id="none"),
        pytest.param(math.nan, "", id="nan"),
        pytest.param("   ", "", id="spaces"),
        pytest.param("Nữ ", "Nữ ", id="text-as-typed"),
        pytest.param(7, "7", id="int"),
        pytest.param(1985.0, "1985", id="integral-float"),
        pytest.param(2.5, "2.5", id="float"),
        pytest.param(True, "TRUE", id="true"),
        pytest.param(False, "FALSE", id="false"),
        pytest.param(D(2023, 5, 3), "03/05/2023", id="date-day-first"),
        pytest.param(dt.datetime(2023, 5, 3), "03/05/2023", id="datetime-midnight"),
        pytest.param(dt.datetime(2023, 5, 3, 14, 30), "03/05/2023 14:30", id="datetime-with-time"),
        pytest.param(dt.time(8, 5), "08:05", id="time"),
    ],
)
def test_as_text(raw, expected):
    """A raw value is shown back to people as it was typed, dates day-first."""
    assert as_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, True), (math.nan, True), ("", True), (" \t", True), (0, False), ("0", False), ("x", False),
     (False, False)],
)
def test_is_blank(raw, expected):
    """Only None, NaN and whitespace-only text count as blank; zero and False are values."""
    assert is_blank(raw) is expected


def _reference_is_blank(value: object) -> bool:
    """is_blank as it was written before its shortcuts by type."""
    if value is None or value == "":
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def test_is_blank_shortcuts_agree_with_the_general_test():
    """Every one-character text (all whitespace included), and numbers, dates and NaN, are judged as before."""
    import numpy as np  # lazy: only this test needs numpy's float subclass
    values = [chr(c) for c in range(0x3100)] + [chr(c) * 3 for c in range(0x3100)] + [
        "", " a ", "\u00a0\u3000", 0, 1, 0.0, -0.5, float("nan"), np.float64("nan"), np.float64(1.5), True, False,
        None, dt.date(2023, 1, 1), dt.datetime(2023, 1, 1), dt.time(0, 0)]
    assert [is_blank(v) for v in values] == [_reference_is_blank(v) for v in values]
    assert is_blank("\u3000\n") and not is_blank(0) and is_blank(float("nan"))
