"""Peak memory and time of ntvt on the worst hostile input of each family, each in a fresh process.

    python benchmarks/bombs.py [--work /tmp/ntvt-bombs] [--only WORD]

Builds the hostile files with the same builders the tests use (tests/builders/hostile*.py), runs the command
a user would (`check FILE --json`, `check FILE --annotate DIR`, `consolidate INBOX` for emails,
`rules --check FILE` for rules files) in its own process and reports the child's peak RSS (its own
ru_maxrss, from wait4), the wall time, the exit code and how the input was judged. A clean
template-sized workbook is the baseline. docs/SECURITY.md holds the table this printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from checker.write.filling import fill_template  # noqa: E402
from checker.ruleset.loader import load_rules  # noqa: E402
from tests.conftest import good_info, good_row  # noqa: E402
from tests.builders.hostile import many_rows, set_cell_xml, xml_bomb, zip_bomb  # noqa: E402
from tests import hostile_mail, hostile_outputs, hostile_reading  # noqa: E402


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
        # Family 3: one far cell made calamine allocate a dense range (549 GB: the process aborted).
        "one cell at XFD1048576": hostile_reading.append_rows(
            base, work / "far_cell.xlsx", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'),
        "one cell at XFD3000": hostile_reading.append_rows(
            base, work / "far_cell_3000.xlsx", '<row r="3000"><c r="XFD3000" t="inlineStr"><is><t>x</t></is></c></row>'),
        ".ods, a value row repeated 1,000,000 times": hostile_reading.ods_like_libreoffice(
            base, work / "repeat.ods", {"Danh sách đề nghị": '<table:table-row table:number-rows-repeated="1000000">'
                                       '<table:table-cell office:value-type="string"><text:p>x</text:p>'
                                       '</table:table-cell></table:table-row>'}),
        # Family 7: tiny files, huge cost.
        "2,000 merges A40:XFD1048576": hostile_reading.add_merges(
            base, work / "merges.xlsx", [f"A{40 + i}:XFD1048576" for i in range(2000)]),
        "3,000,000-cell extra sheet + a TCVN3 name": _tcvn3_big(base, work),
        "merge A20:XFD1048576, --annotate": (hostile_outputs.with_merges(
            base, work / "merge_annotate.xlsx", ["A20:XFD1048576"]), "annotate"),
        "1,000,000 valued cells on an extra sheet, --annotate": (hostile_outputs.with_extra_sheet(
            base, work / "extra_annotate.xlsx", "Phụ lục", 10_000, 100), "annotate"),
        # Family 4: emails, each alone in an inbox that is consolidated.
        "email nested 2,000 deep": (_inbox(work, "deep", hostile_mail.unclosed_nesting(2000)), "consolidate"),
        "email with 20,000 attachments": (_inbox(work, "many", hostile_mail.many_attachments(20_000)), "consolidate"),
        "email of 80 MiB (one attachment)": (_inbox(work, "big", hostile_mail.big_attachment(80 << 20)), "consolidate"),
        # Family 10: rules files.
        "rules file of 50 MB": (_rules(work, "big", "# x\n" * (50 << 18)), "rules"),
        "rules alias bomb": (_rules(work, "alias", "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))), "rules"),
        "rules nested 20,000 deep": (_rules(work, "deep", "a: " + "[" * 20_000 + "]" * 20_000 + "\n"), "rules"),
    }


def _tcvn3_big(base: Path, work: Path) -> Path:
    """3 million cells on a sheet ntvt does not read, and one TCVN3-looking name (the font probe)."""
    named = set_cell_xml(base, work / "tcvn3.xlsx", "B5", '<c r="B5" t="inlineStr"><is><t>NguyÔn V¨n Hïng</t></is></c>')
    return hostile_reading.add_big_sheet(named, work / "tcvn3_big.xlsx", 30_000, 100)


def _inbox(work: Path, name: str, data: bytes) -> Path:
    folder = work / f"inbox_{name}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.eml").write_bytes(data)
    return folder


def _rules(work: Path, name: str, text: str) -> Path:
    path = work / f"rules_{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


COMMANDS = {
    "check": lambda p, w: ["check", str(p), "--json"],
    "annotate": lambda p, w: ["check", str(p), "--annotate", str(w / "annotated")],
    "consolidate": lambda p, w: ["consolidate", str(p), "-o", str(w / "out" / f"{p.name}.xlsx")],
    "rules": lambda p, w: ["rules", "--check", str(p)],
}


def measure(path: Path, kind: str, work: Path) -> dict:
    """Run one command in a child process; its own peak RSS comes from wait4's rusage."""
    args = COMMANDS[kind](path, work)
    if kind != "rules":
        args += ["--as-of", "2023-05-31"]
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "checker", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=ROOT)
    # Both pipes drained in threads, then the child reaped here (not by Popen) to get its rusage.
    chunks = {"out": b"", "err": b""}
    readers = [threading.Thread(target=lambda k=k, f=f: chunks.__setitem__(k, f.read()))
               for k, f in (("out", proc.stdout), ("err", proc.stderr))]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    for reader in readers:
        reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    return {"exit": proc.returncode, "seconds": round(seconds, 2), "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
            "size_kib": round(_size(path) / 1024, 1),
            "verdict": _verdict(kind, chunks["out"].decode(), chunks["err"].decode())}


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir()) if path.is_dir() else path.stat().st_size


def _verdict(kind: str, out: str, err: str) -> str:
    if kind == "check":
        report = json.loads(out)
        return report["files"][0]["reason"] or f"{report['counts']['error']} lỗi"
    if kind == "consolidate":
        rejected = [line.strip() for line in out.splitlines() if "bị loại" in line.lower() or "thư" in line.lower()]
        return (rejected[-1] if rejected else out.strip().splitlines()[-1])[:140]
    text = (out + err).strip().splitlines()
    return text[0][:140] if text else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/ntvt-bombs"))
    parser.add_argument("--only", help="measure only the inputs whose name contains this word")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    manifest = args.work / "inputs.json"
    if args.build_only:
        files = {name: [str(p), kind] for name, (p, kind) in
                 ((n, e if isinstance(e, tuple) else (e, "check")) for n, e in build(args.work).items())}
        manifest.write_text(json.dumps(files, ensure_ascii=False, indent=1), encoding="utf-8")
        return
    # Built in a child: Linux keeps a process's peak RSS across fork and exec, so children forked
    # from a parent that held the big inputs would all report the parent's peak.
    subprocess.run([sys.executable, __file__, "--work", str(args.work), "--build-only"], check=True)
    files = json.loads(manifest.read_text(encoding="utf-8"))
    print("| input | size | command | exit | time s | peak RSS MiB | verdict |")
    print("|---|---:|---|---:|---:|---:|---|")
    for name, (path, kind) in files.items():
        if args.only and args.only not in name:
            continue
        r = measure(Path(path), kind, args.work)
        print(f"| {name} | {r['size_kib']} KiB | {kind} | {r['exit']} | {r['seconds']} | {r['peak_rss_mib']} | "
              f"{r['verdict']} |", flush=True)


if __name__ == "__main__":
    main()
