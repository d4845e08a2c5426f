"""Where a consolidation's memory peaks: the parent's and the process tree's PSS sampled every 50 ms,
reported as the highest reading between marks set where each stage and each sheet writer starts and
ends (reading, deciding, the layout, each sheet, each stream spliced in).

    python benchmarks/timeline.py INBOX -o OUT.xlsx --as-of 2023-10-10

Unlike benchmarks/memory.py (tracemalloc: what is held, by line) this slows nothing down and shows
which stage holds the peak. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.memory import pss, tree  # noqa: E402
from checker import api  # noqa: E402
from checker.decide import consolidation  # noqa: E402
from checker.validate import pipeline  # noqa: E402
from checker.write import streaming, workbook  # noqa: E402
from checker.write.workbook import city_list, data_sheets, findings, manifest, overview, review  # noqa: E402

MiB = 1024 * 1024
# (module, function) marked: where each stage and each sheet writer starts and ends. Consolidate
# finds them in their modules when it runs (it imports them on use).
MARKED = [(pipeline, "read_and_frame"), (consolidation, "decide"), (workbook, "plan_layout"),
          (data_sheets, "write_data_sheet"), (city_list, "write_city_list"), (review, "write_review"),
          (findings, "write_findings"), (manifest, "write_manifest"), (overview, "write_overview"),
          (streaming, "splice"), (streaming, "_pump")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inbox", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--as-of", required=True)
    args = parser.parse_args()
    marks: list[tuple[float, str]] = []
    samples: list[tuple[float, int, int]] = []
    done = threading.Event()

    def marked(function, name):
        def call(*a, **k):
            marks.append((time.perf_counter(), name))
            try:
                return function(*a, **k)
            finally:
                marks.append((time.perf_counter(), f"{name} end"))
        return call

    for module, name in MARKED:
        setattr(module, name, marked(getattr(module, name), name))

    def sample() -> None:
        me = os.getpid()
        while not done.is_set():
            samples.append((time.perf_counter(), pss(me), sum(pss(p) for p in tree(me))))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    started = time.perf_counter()
    sampler.start()
    args.output.unlink(missing_ok=True)
    api.consolidate(args.inbox, args.output, as_of=dt.date.fromisoformat(args.as_of))
    done.set()
    sampler.join()
    marks.append((time.perf_counter(), "end"))
    print(f"{'from s':>8}  {'stage':28} {'parent':>7} {'tree':>7}  (highest PSS, MiB)")
    for (t0, name), (t1, _) in zip(marks, marks[1:]):
        inside = [(p, t) for at, p, t in samples if t0 <= at < t1]
        if inside:
            print(f"{t0 - started:8.1f}  {name:28} {max(p for p, _ in inside) / MiB:7.0f} "
                  f"{max(t for _, t in inside) / MiB:7.0f}")
    print(f"peak PSS: process tree {max(s[2] for s in samples) / MiB:.0f} MiB, "
          f"parent {max(s[1] for s in samples) / MiB:.0f} MiB")


if __name__ == "__main__":
    main()
