"""Check the floor's lean writer on a real output: every cell read back, and LibreOffice opens it.

    python benchmarks/check_lean.py CELLS.xlsx LEAN.xlsx

CELLS.xlsx is ntvt's consolidated workbook (run.py keeps it as out/for-nN/ntvt-cells.xlsx), LEAN.xlsx
what benchmarks/floor.py wrote from it (out/for-nN/floor.xlsx). openpyxl must read the same values as
calamine reads from CELLS.xlsx, sheet by sheet; `soffice --headless --convert-to csv` must write one
CSV per sheet with the same number of rows. Prints the sizes and what differed; exit 1 on a difference.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CSV_ALL_SHEETS = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def trimmed(rows) -> list[list]:
    """Rows with None as "", midnight datetimes as dates, trailing empty cells and rows dropped."""
    out = []
    for row in rows:
        row = ["" if v is None else v.date() if isinstance(v, dt.datetime) and v.time() == dt.time() else v
               for v in row]
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def differences(cells: Path, lean: Path) -> list[str]:
    import openpyxl
    import python_calamine

    source = python_calamine.CalamineWorkbook.from_path(str(cells))
    book = openpyxl.load_workbook(lean, read_only=True)
    found = [] if book.sheetnames == source.sheet_names else [f"sheets {book.sheetnames} != {source.sheet_names}"]
    for name in source.sheet_names:
        want = trimmed(source.get_sheet_by_name(name).to_python(skip_empty_area=False))
        got = trimmed(book[name].iter_rows(values_only=True))
        if want != got:
            at = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b), min(len(want), len(got)))
            found.append(f"“{name}” row {at + 1}: {want[at:at + 1]} != {got[at:at + 1]} ({len(want)} / {len(got)} rows)")
    book.close()
    return found


def libreoffice_rows(lean: Path) -> dict[str, int] | None:
    soffice = shutil.which("soffice")
    if not soffice:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to",
                        CSV_ALL_SHEETS, "--outdir", tmp, str(lean)], check=True, capture_output=True, timeout=3600)
        return {p.stem[len(lean.stem) + 1:]: len(p.read_text(encoding="utf-8").splitlines())
                for p in sorted(Path(tmp).glob("*.csv"))}


def main(argv: list[str]) -> int:
    cells, lean = Path(argv[0]), Path(argv[1])
    found = differences(cells, lean)
    print(f"{lean}: {lean.stat().st_size / 2**20:.1f} MiB (ntvt's own: {cells.stat().st_size / 2**20:.1f} MiB); "
          f"openpyxl: {'same cells as calamine reads from ' + cells.name if not found else found}")
    rows = libreoffice_rows(lean)
    print("LibreOffice: " + ("soffice not found" if rows is None else ", ".join(f"“{k}” {v:,} lines" for k, v
                                                                                in rows.items())))
    return 1 if found or not rows else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
