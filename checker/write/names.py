"""The names of the files written for a unit, made in one place: the unit's own file name as it
sent it, the annotated copy's name, the unit's folder and template names (ASCII, sortable)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from ..normalise.text import nfc
from ..read.names import ATTACHMENT_SEPARATOR


def own_name(name: str) -> str:
    """The name the unit gave its file: no office path, no email it came in ("thư.eml › a.xlsx")."""
    return name.split(ATTACHMENT_SEPARATOR)[-1].replace("\\", "/").split("/")[-1]


def annotated_name(name: str) -> str:
    """The annotated copy of an input: its own stem, made safe, + "_danh_dau.xlsx"."""
    stem = re.sub(r"[^\w\-. ]+", "_", PurePosixPath(own_name(name)).stem).strip() or "tep"
    return f"{stem}_danh_dau.xlsx"


def unit_slug(unit_id: str) -> str:
    """A unit's id as ASCII letters, digits, "-" and "_": safe in any file system's names."""
    plain = nfc(unit_id).replace("Đ", "D").replace("đ", "d")
    ascii_id = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9-]+", "_", ascii_id).strip("_") or "DONVI"


def template_name(short_name: str, unit_id: str, period: str | None = None) -> str:
    """A unit's template: mau_<short name>_<period>_<UNIT>.xlsx (the period left out when None)."""
    middle = f"{period}_" if period else ""
    return f"mau_{short_name}_{middle}{unit_slug(unit_id)}.xlsx"
