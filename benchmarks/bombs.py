"""Peak memory of `ntvt check` on hostile inputs, each in a fresh process.

    python benchmarks/bombs.py [--work /tmp/ntvt-bombs]

Builds the hostile files with the same builders the tests use (tests/hostile.py), runs
`python -m checker check FILE --json` on each in its own process and reports the child's peak RSS
(the child's own ru_maxrss, from wait4), the wall time and how the file was judged. A clean
template-sized workbook is the baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.filling import fill_template  # noqa: E402
from checker.rules import load_rules  # noqa: E402
from tests.conftest import good_info, good_row  # noqa: E402
from tests.hostile import many_rows, set_cell_xml, xml_bomb, zip_bomb  # noqa: E402


def build(work: Path) -> dict[str, Path]:
    work.mkdir(parents=True, exist_ok=True)
    rules = load_rules()
    base = fill_template(rules, work / "base.xlsx", as_of=dt.date(2023, 5, 2), unit="CHEO", period="2023-05",
                         info=good_info(), nominations=[good_row(n) for n in range(1, 31)])
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with open(base, "rb") as f:
        OOXMLFile(f).encrypt("matkhau", out)
    (work / "encrypted.xlsx").write_bytes(out.getvalue())
    return {
        "baseline (30 rows)": base,
        "zip bomb 190 MiB (ratio)": zip_bomb(work / "zip_ratio.xlsx", uncompressed_mb=190),
        "zip bomb 1 GiB (size)": zip_bomb(work / "zip_size.xlsx", uncompressed_mb=1024),
        "XML bomb (billion laughs)": xml_bomb(base, work / "xml_bomb.xlsx"),
        "1,000,000 formatted empty rows": many_rows(base, work / "fmt_rows.xlsx", 1_000_000, with_values=False),
        "200,000 rows with values": many_rows(base, work / "value_rows.xlsx", 200_000, with_values=True),
        "cell of 47,500 characters": set_cell_xml(base, work / "long_cell.xlsx", "K5",
                                                  f'<c r="K5" t="inlineStr"><is><t>{"Người tốt việc tốt " * 2500}</t></is></c>'),
        "password-protected": work / "encrypted.xlsx",
    }


def measure(path: Path) -> dict:
    """Run one check in a child process; its own peak RSS comes from wait4's rusage."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "checker", "check", str(path), "--json", "--as-of", "2023-05-31"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    report = json.loads(out)
    verdict = report["files"][0]["reason"] or f"{report['counts']['error']} lỗi"
    return {"exit": proc.returncode, "seconds": round(seconds, 2), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
            "size_kib": round(path.stat().st_size / 1024, 1), "verdict": verdict}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/ntvt-bombs"))
    args = parser.parse_args()
    files = build(args.work)
    print("| input | file size | exit | time s | peak RSS MiB | verdict |")
    print("|---|---:|---:|---:|---:|---|")
    for name, path in files.items():
        r = measure(path)
        print(f"| {name} | {r['size_kib']} KiB | {r['exit']} | {r['seconds']} | {r['peak_rss_mib']} | {r['verdict']} |")


if __name__ == "__main__":
    main()
