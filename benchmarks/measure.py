"""Measuring one child process tree: wall seconds, CPU seconds, peak RSS and PSS, the load around it.

CPU is the child's user + sys from `os.wait4`, which on Linux includes the descendants it waited
for (pool workers joined by their parent). Memory is sampled every 50 ms from
/proc/<pid>/smaps_rollup over the child and all its descendants: the peak of the summed RSS (counts
pages forked workers share with their parent once per process) and of the summed PSS (shared pages
split among their sharers: the tree's real footprint). Sampling can miss a spike shorter than 50 ms.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.files import ROOT

SAMPLE_SECONDS = 0.05


def _tree(root: int) -> list[int]:
    """The pid and all its descendants, from /proc/<pid>/task/<tid>/children."""
    out, stack = [], [root]
    while stack:
        pid = stack.pop()
        out.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    stack.extend(int(x) for x in fh.read().split())
            except OSError:
                continue
    return out


def _memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            values = dict(line.split(":", 1) for line in fh.read().splitlines()[1:] if ":" in line)
        return int(values["Rss"].split()[0]) * 1024, int(values["Pss"].split()[0]) * 1024
    except (OSError, KeyError, ValueError, IndexError):
        return 0, 0


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def measure(cmd: list[str], log: Path) -> dict[str, Any]:
    """Run cmd; return wall and CPU seconds, the peak RSS and PSS of its process tree, the load."""
    peak = {"rss": 0, "pss": 0}
    done = threading.Event()
    before = load()
    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)

        def sample() -> None:
            while not done.is_set():
                sizes = [_memory(p) for p in _tree(proc.pid)]
                peak["rss"] = max(peak["rss"], sum(r for r, _ in sizes))
                peak["pss"] = max(peak["pss"], sum(p for _, p in sizes))
                done.wait(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
    return {"seconds": seconds, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_tree_rss_mib": peak["rss"] / 2**20, "peak_tree_pss_mib": peak["pss"] / 2**20,
            "returncode": proc.returncode, "load_before": before, "load_after": load()}
