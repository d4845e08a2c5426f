"""Byte-reproducible packages: an .xlsx openpyxl saved, with the clock taken out of it.

openpyxl stamps docProps/core.xml with the save time and each zip entry with the clock; a copy sent
to a unit must be a function of its inputs and as_of only, so both become one fixed moment: the end
of as_of in the plan's zone (the moment the run speaks for).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from ..ruleset.spec import RuleSet

CORE = "docProps/core.xml"
# Where nothing tells the moment: the zip format's first date, a fixed value all the same.
NO_MOMENT = dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def end_of(rules: RuleSet, as_of: dt.date) -> dt.datetime:
    """The last second of `as_of` in the plan's local time (aware)."""
    return dt.datetime.combine(as_of, dt.time(23, 59, 59), tzinfo=rules.deadlines.zone)


def fixed_times(data: bytes, moment: dt.datetime) -> bytes:
    """The package with every entry dated `moment` (local time, as zip stores it) and the document's
    created/modified times set to it (UTC, as core.xml states them); entries and order unchanged."""
    utc = moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    when = moment.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == CORE:
                part = _STAMP.sub(lambda m: m.group(1) + utc + m.group(2), part)
            entry = zipfile.ZipInfo(info.filename, when)
            entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            target.writestr(entry, part)
    return out.getvalue()
