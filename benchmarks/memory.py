"""Where a consolidation's memory goes: tracemalloc snapshots of the parent at each stage, the peak
PSS of the process tree (parent + workers, /proc/<pid>/smaps_rollup as benchmarks/run.py sums it)
and each worker's CPU seconds.

    python benchmarks/memory.py INBOX -o OUT.xlsx --as-of 2023-10-10 [--top 12] [--no-trace]

Stages: gathered (the inbox listed), read (books and frames built: the workers' results joined),
validated, decided, written; and the peak while writing. --no-trace: only the PSS and CPU figures
(tracemalloc itself slows the parent ~2× and adds its own bookkeeping to the process's memory).
Linux only (/proc).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import threading
import time
import tracemalloc
from pathlib import Path

from checker import api
from checker.decide import consolidation
from checker.validate import pipeline
from checker.write import workbook

MiB = 1024 * 1024


def tree(pid: int) -> list[int]:
    """pid and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return out


def pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def command(pid: int) -> str:
    """What a process is: the resource tracker, or a worker (spawn's `-c from multiprocessing…`)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            args = fh.read().decode(errors="replace").split("\0")
    except OSError:
        return "?"
    text = " ".join(args)
    return "resource tracker" if "resource_tracker" in text else "worker"


class Sampler(threading.Thread):
    """Every 50 ms: the tree's PSS (its peak) and each worker's last CPU seconds."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak, self.parent_peak, self.workers, self.stop = 0, 0, {}, False

    def run(self):
        me = os.getpid()
        while not self.stop:
            pids = tree(me)
            self.peak = max(self.peak, sum(pss(p) for p in pids))
            self.parent_peak = max(self.parent_peak, pss(me))
            for p in pids[1:]:  # the highest reading: a process gone by now reads as 0
                seconds, what = cpu_seconds(p), command(p)
                if seconds >= self.workers.get(p, (0.0, ""))[0]:
                    self.workers[p] = (seconds, what)
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inbox", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--as-of", required=True)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--no-trace", action="store_true")
    args = parser.parse_args()
    trace = not args.no_trace
    stages: list[tuple[str, float]] = []

    def stage(name: str) -> None:
        traced = tracemalloc.get_traced_memory()[0] / MiB if trace else 0.0
        stages.append((name, traced))
        print(f"{name}: {time.perf_counter() - started:.1f} s, parent PSS {pss(os.getpid()) / MiB:.0f} MiB, "
              f"traced {traced:.0f} MiB", flush=True)
        if trace:
            for s in tracemalloc.take_snapshot().statistics("lineno")[:args.top]:
                frame = s.traceback[0]
                print(f"  {s.size / MiB:7.1f} MiB {s.count:9,} blocks  "
                      f"{frame.filename.split('site-packages/')[-1]}:{frame.lineno}", flush=True)

    read_and_frame, decide, write = pipeline.read_and_frame, consolidation.decide, workbook.write_consolidated
    writing_peak = [0.0]

    def read_hook(*a, **k):
        out = read_and_frame(*a, **k)
        stage("read")
        return out

    def decide_hook(gathered, validation, *a, **k):
        stage("validated")
        out = decide(gathered, validation, *a, **k)
        stage("decided")
        return out

    def write_hook(*a, **k):
        if trace:
            tracemalloc.reset_peak()
        out = write(*a, **k)
        if trace:
            writing_peak[0] = tracemalloc.get_traced_memory()[1] / MiB
        stage("written")
        return out

    # Where consolidate finds them when it runs (it imports them on use, from their modules).
    pipeline.read_and_frame, consolidation.decide, workbook.write_consolidated = read_hook, decide_hook, write_hook
    sampler = Sampler()
    sampler.start()
    if trace:
        tracemalloc.start(1)
    started = time.perf_counter()
    args.output.unlink(missing_ok=True)
    result = api.consolidate(args.inbox, args.output, as_of=dt.date.fromisoformat(args.as_of))
    wall = time.perf_counter() - started
    sampler.stop = True
    sampler.join()
    files = len(result.validation.books)
    print(f"\n{files} files, {wall:.1f} s; peak PSS of the process tree {sampler.peak / MiB:.0f} MiB, "
          f"of the parent {sampler.parent_peak / MiB:.0f} MiB")
    print("child processes' CPU seconds: " + ", ".join(f"{what} {c:.1f}" for c, what in sampler.workers.values()))
    if not trace:
        return
    print(f"traced in the parent while writing: peak {writing_peak[0]:.0f} MiB")
    for name, mib in stages:
        print(f"  {name:10} {mib:7.1f} MiB traced ({mib * 1024 / max(files, 1):.1f} KiB per file)")

if __name__ == "__main__":
    main()
