"""Turn raw cell values (as a spreadsheet library returns them) into typed values.

Dates are day-first, always: a text date is read in the forms units type ("15/06/2023", "15/6/23",
"15-6-2023", "15.06.2023", "ngày 15 tháng 6 năm 2023"; a two-digit year is 20YY) or as ISO
yyyy-mm-dd; anything else, an impossible day (31/02/2023) included, is invalid, never a month-first
guess. Each parser returns (value, how) where `how` says what happened:
"ok" (taken as is), "converted" (a harmless change worth telling the unit, e.g. a text date),
or "invalid" (the cell holds something that is not of the expected type).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 61 = 1900-03-01; Excel counts a 29/02/1900 that never was
MAX_SERIAL = 2_958_465  # 9999-12-31

_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})")
# "ngày 15 tháng 6 năm 2023", as a letter dates itself (matched on NFC lower-case text).
_DMY_WORDS = re.compile(r"(?:ngày\s+)?(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4}|\d{2})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?")
_MONTH_YEAR = re.compile(r"(?:thang\s*)?(\d{1,2})\s*(?:[/.\-]|\s+nam\s+|\s+)\s*(\d{4})")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def is_blank(value: object) -> bool:
    kind = type(value)  # the usual cells first, without a comparison with "" (millions of calls)
    if kind is str:
        return not value or value.isspace()
    if kind is float:
        return value != value  # NaN
    if kind is int or kind is bool:
        return False
    if value is None or value == "":
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def as_text(value: object) -> str:
    """How a raw value is shown back to a person (messages, comments): as it was typed."""
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M") if (value.hour or value.minute) else value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def from_serial(serial: float) -> dt.date | None:
    if not 1 <= serial <= MAX_SERIAL or not float(serial).is_integer():
        return None
    if serial < 60:  # before Excel's phantom 29/02/1900: serial 1 is 01/01/1900
        return EXCEL_EPOCH + dt.timedelta(days=int(serial) + 1)
    if serial == 60:
        return None  # 29/02/1900 does not exist
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date(value: object) -> tuple[dt.date | None, str]:
    """A real date, an Excel serial number, or a day-first text date (see the module docstring)."""
    if is_blank(value):
        return None, "ok"
    if isinstance(value, dt.datetime):
        return value.date(), "ok"
    if isinstance(value, dt.date):
        return value, "ok"
    if isinstance(value, bool):
        return None, "invalid"
    if isinstance(value, (int, float)):
        date = from_serial(float(value))
        return (date, "converted") if date else (None, "invalid")
    text = unicodedata.normalize("NFC", str(value)).strip()
    for pattern, order in ((_DMY, (1, 2, 3)), (_DMY_WORDS, (1, 2, 3)), (_ISO, (3, 2, 1))):
        m = pattern.fullmatch(text.lower() if pattern is _DMY_WORDS else text)
        if m:
            day, month, year = (int(m.group(i)) for i in order)
            year += 2000 if year < 100 else 0  # "15/6/23": units mean this century
            try:
                return dt.date(year, month, day), "converted"
            except ValueError:
                return None, "invalid"
    return None, "invalid"


def parse_whole(value: object) -> tuple[int | None, str]:
    """A whole number, typed as a number or as text ("1985", "1.985" is not accepted)."""
    if is_blank(value):
        return None, "ok"
    if isinstance(value, bool):
        return None, "invalid"
    if isinstance(value, int):
        return value, "ok"
    if isinstance(value, float):
        return (int(value), "ok") if value.is_integer() else (None, "invalid")
    text = str(value).strip()
    if re.fullmatch(r"[+]?\d{1,9}", text):
        return int(text), "ok"
    return None, "invalid"


def parse_year(value: object) -> tuple[int | None, str]:
    """A birth year; a full date typed in the year column gives its year (told to the unit)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year, "converted"
    if isinstance(value, str) and (_DMY.fullmatch(value.strip()) or _ISO.fullmatch(value.strip())):
        date, how = parse_date(value)
        return (date.year, "converted") if date else (None, "invalid")
    return parse_whole(value)


def parse_period(value: object, strip_diacritics) -> tuple[str | None, str]:
    """A report month as "YYYY-MM": "Tháng 05/2023", "5/2023", "tháng 5 năm 2023", "2023-05" or a date."""
    if is_blank(value):
        return None, "ok"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}", "converted"
    text = " ".join(strip_diacritics(str(value)).lower().split())
    m = _MONTH_YEAR.fullmatch(text)
    if m:
        month, year = int(m.group(1)), int(m.group(2))
    else:
        m = _YEAR_MONTH.fullmatch(text)
        if not m:
            return None, "invalid"
        year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        return None, "invalid"
    return f"{year:04d}-{month:02d}", "ok"
