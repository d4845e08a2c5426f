"""An email's Date header as a receipt time, with what is wrong with it.

The stdlib parses the date; the checks around it refuse what no receipt time can be (see
parse_date), and tell a date without a known zone from one with it.
"""

from __future__ import annotations

import email.utils
import re
from datetime import datetime, timedelta, timezone

_MAX_DATE_CHARS = 256

# Receipt times are converted to the office's zone and compared with
# deadlines. A year outside this range is a machine with a wrong clock or a
# forged header, not a receipt time; and near datetime's own limits (years 1
# and 9999) the conversion to another zone overflows.
_PLAUSIBLE_YEARS = range(1990, 2101)
_MAX_OFFSET = timedelta(hours=14)  # no zone on Earth is further from UTC (they run from -12:00 to +14:00)
# Digits standing alone (not a time's hh:mm:ss, not a zone's +hhmm).
_NUMBERS = re.compile(r"(?<![\d:+\-])\d+(?![\d:])")


def parse_date(raw: str | None) -> tuple[datetime | None, str | None]:
    # The raw text, not the parsed DateHeader: that hides the "-0000" versus
    # "+0000" distinction the naive_date flag needs.
    if raw is None or not raw.strip():
        return None, "missing_date"
    text = raw.strip()
    if len(text) > _MAX_DATE_CHARS or not text.isascii():
        return None, "bad_date"
    try:
        dt = email.utils.parsedate_to_datetime(text)
    except Exception:  # ValueError, OverflowError (year 9999 + offset), IndexError…
        return None, "bad_date"
    if dt.year not in _PLAUSIBLE_YEARS or not _year_as_written(text, dt.year):
        return None, "bad_date"
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc), "naive_date"
    if abs(dt.utcoffset()) > _MAX_OFFSET:
        return None, "bad_date"
    return dt, None


def _year_as_written(text: str, year: int) -> bool:
    """Whether the header really wrote ``year``: the stdlib reads "0", "000" and "0000" all as 2000."""
    return any((len(n) == 4 and int(n) == year) or (len(n) == 2 and int(n) == year % 100)
               for n in _NUMBERS.findall(text))
