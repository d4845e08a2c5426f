"""Start-up: how long a short `ntvt` command takes, against the floor of what it must import.

    python benchmarks/startup.py [--reps 7] [--sample FILE] [--tree FOLDER]

Runs each command in a fresh process, interleaved (one of each per round, so a change of load hits
all alike), and prints the median wall and CPU seconds (user + system, of the process and its
children) of each, with the load average before and after. --tree: measure another copy of the
source (e.g. `git archive HEAD | tar -x -C /tmp/before`) through `python -m checker` on its path. The machine is shared: quote the load
with the numbers, and read the CPU column when the load is above the cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_workbooks" / "thang_05" / "BTHN_thang05.xlsx"
AS_OF = "2023-07-25"
FLOOR = "import click, yaml, python_calamine, pandas, pandera.pandas"


def ntvt(tree: Path | None) -> list[str]:
    script = shutil.which("ntvt")
    return [script] if script and tree is None else [sys.executable, "-m", "checker"]


def commands(sample: Path, out: Path, tree: Path | None) -> list[tuple[str, list[str]]]:
    py, cmd = sys.executable, ntvt(tree)
    return [
        ("python -c pass", [py, "-c", "pass"]),
        ("floor imports: " + FLOOR.replace("import ", ""), [py, "-c", FLOOR]),
        ("python -c 'import pandas'", [py, "-c", "import pandas"]),
        ("python -c 'import checker.cli.commands'", [py, "-c", "import checker.cli.commands"]),
        ("python -c 'import checker.api'", [py, "-c", "import checker.api"]),
        ("ntvt --help", cmd + ["--help"]),
        ("ntvt check --as-of (usage error)", cmd + ["check", "--as-of"]),
        (f"ntvt check {sample.name}", cmd + ["check", str(sample), "--as-of", AS_OF]),
        ("ntvt consolidate sample_workbooks", cmd + ["consolidate", str(ROOT / "sample_workbooks"), "-o",
                                                     str(out), "--as-of", AS_OF]),
    ]


def run(argv: list[str], out: Path, tree: Path | None) -> tuple[float, float]:
    """(wall, cpu) seconds of one run; the output file is removed first (consolidate refuses none)."""
    out.unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=str(tree)) if tree else None
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=tree or ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--sample", type=Path, default=SAMPLE)
    parser.add_argument("--tree", type=Path, default=None, help="another copy of the source to measure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ntvt-startup-") as tmp:
        out = Path(tmp) / "tong_hop.xlsx"
        todo = commands(args.sample.resolve(), out, args.tree)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in todo}
        load_before = os.getloadavg()
        for name, argv in todo:  # one warm-up round: the page cache and .pyc files, not measured
            run(argv, out, args.tree)
        for _ in range(args.reps):
            for name, argv in todo:
                times[name].append(run(argv, out, args.tree))
        load_after = os.getloadavg()
    print(f"source: {args.tree or ROOT}; median of {args.reps}, interleaved; load average {load_before[0]:.2f} before, "
          f"{load_after[0]:.2f} after; {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    print()
    print("| what | wall s | CPU s |")
    print("|---|---:|---:|")
    for name, got in times.items():
        wall = statistics.median(w for w, _ in got)
        cpu = statistics.median(c for _, c in got)
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
