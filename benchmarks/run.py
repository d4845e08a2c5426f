"""Benchmark `ntvt consolidate` against the true floor, the naive pipeline and frictionless, on one inbox.

    python benchmarks/run.py --n 100 1000 --repeats 3
    python benchmarks/run.py --n 100 1000 10000 30000 --repeats 3 3 1 1 --row-wall 50000   # the lead's table

For each N the seeded inbox is generated once (benchmarks/generate.py) and cached under --work,
keyed by N and seed (and the generator's version). Then, in this one run, each repeat runs every
approach once, in an order that rotates (and reverses on odd repeats) so that drift on a shared
machine falls on all of them:

  (b) ntvt         `ntvt consolidate INBOX -o OUT --as-of AS_OF` (run as `python -m checker`), end to
                   end, its workers included. Its first output at each N is kept: its cells are (a)'s.
  (a) floor        the least any tool must do (benchmarks/floor.py): python-calamine reads every cell
                   of the 4 sheets ntvt reads (names from the rules YAML) in 2 spawned processes, and
                   a lean SpreadsheetML writer (benchmarks/lean_xlsx.py) writes the same cells ntvt's
                   consolidated workbook holds (read back from it with calamine, untimed). Floor =
                   wall of the reading + the writing's own seconds; no validation at all.
  (c) naive        openpyxl reads each workbook, pandera validates each file, openpyxl writes.
  (d) frictionless validates the two table sheets of each file against a Table Schema made from the rules.

Every approach runs as a child process (start-up and imports count). benchmarks/measure.py: CPU
seconds (user + sys of the tree, os.wait4), peak RSS and PSS of the process tree, the load average
before and after. Recall (benchmarks/recall.py): the share of planted problems found.

For N above --subset (default 1,000), (c) and (d) are measured on the N=subset inbox of the same seed
(its first `subset` files), once per run, and their time is scaled by N/subset.

--row-wall N runs ntvt once on N files (a city's year: 50,000) and records what it did: time, CPU,
memory, exit code and last lines, and the output's sheets with their row counts (read with calamine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.files import inbox_files, read_sheet_names  # noqa: E402
from benchmarks.measure import SAMPLE_SECONDS, measure  # noqa: E402
from benchmarks.recall import approach_recall  # noqa: E402
from benchmarks.report import markdown, memory_slope, ratios  # noqa: E402

APPROACHES = ["ntvt", "floor", "naive", "frictionless"]  # ntvt first: its first output gives the floor its cells
ORDER = ["floor", "ntvt", "naive", "frictionless"]  # the table's order
PEERS = ("naive", "frictionless")
LABELS = {"floor": "(a) floor: calamine on 2 cores + lean writer", "ntvt": "(b) ntvt consolidate",
          "naive": "(c) naive: openpyxl + pandera per file + openpyxl", "frictionless": "(d) frictionless validate"}
EXTRA = "bench"  # the setup.cfg extra that installs frictionless for this benchmark
INSTALL_HINT = f"pip install -e '.[{EXTRA}]'  (or: pip install 'frictionless>=5.18')"
FLOOR = Path(__file__).resolve().parent / "floor.py"


def ensure_inbox(work: Path, n: int, seed: int) -> tuple[Path, dict]:
    """The cached inbox for (n, seed), generated when missing or made by another generator version."""
    from benchmarks.generate import GENERATOR_VERSION, generate, manifest_path

    inbox = work / f"n{n}-s{seed}" / "inbox"
    mpath = manifest_path(inbox)
    if mpath.exists():
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        if manifest.get("generator_version") == GENERATOR_VERSION and manifest.get("n") == n:
            return inbox, manifest
    if inbox.exists():
        shutil.rmtree(inbox)
    print(f"generating N={n} (seed {seed}) in {inbox} …", flush=True)
    manifest = generate(inbox, n, seed)
    print(f"  {manifest['seconds']} s: {manifest['rows']['nominations']} nominations, {manifest['rows']['activities']} "
          f"activities, {manifest['planted_count']} planted problems ({manifest['planted_rate']:.1%} of checked cells)",
          flush=True)
    return inbox, manifest


def output_path(out_dir: Path, approach: str) -> Path:
    return out_dir / (f"{approach}.json" if approach == "frictionless" else f"{approach}.xlsx")


def ntvt_command(inbox: Path, output: Path, manifest: dict) -> list[str]:
    return [sys.executable, "-m", "checker", "consolidate", str(inbox), "-o", str(output), "--as-of", manifest["as_of"]]


def peer_command(approach: str, inbox: Path, output: Path, manifest: dict) -> list[str]:
    me = [sys.executable, str(Path(__file__).resolve()), "--child", approach, "--inbox", str(inbox),
          "--output", str(output)]
    if approach == "naive":
        return me + ["--as-of", manifest["as_of"]]
    schemas = output.parent / "frictionless-schemas.json"
    if not schemas.exists():
        from benchmarks.peers import frictionless_descriptors
        from checker.ruleset.loader import load_rules

        schemas.write_text(json.dumps(frictionless_descriptors(load_rules()), ensure_ascii=False), encoding="utf-8")
    return me + ["--schemas", str(schemas)]


def _last_json(log: Path) -> dict:
    return json.loads(log.read_text(encoding="utf-8").strip().splitlines()[-1])


def run_floor(inbox: Path, out_dir: Path) -> dict[str, Any]:
    """Both-core reading (measured as a process tree), then the lean write of ntvt's cells (timed inside)."""
    cells = out_dir / "ntvt-cells.xlsx"
    read = measure([sys.executable, str(FLOOR), "read", str(inbox), "--sheets", *read_sheet_names()],
                   out_dir / "floor-read.log")
    if read["returncode"]:
        raise RuntimeError(f"floor read failed: {(out_dir / 'floor-read.log').read_text(errors='replace')[-3000:]}")
    output = output_path(out_dir, "floor")
    output.unlink(missing_ok=True)
    write = measure([sys.executable, str(FLOOR), "write", str(cells), str(output)], out_dir / "floor-write.log")
    if write["returncode"]:
        raise RuntimeError(f"floor write failed: {(out_dir / 'floor-write.log').read_text(errors='replace')[-3000:]}")
    w = _last_json(out_dir / "floor-write.log")
    return {"seconds": read["seconds"] + w["write_s"], "cpu_s": read["cpu_s"] + w["write_cpu_s"],
            "peak_tree_rss_mib": read["peak_tree_rss_mib"], "peak_tree_pss_mib": read["peak_tree_pss_mib"],
            "load_before": read["load_before"], "load_after": write["load_after"], "returncode": 0,
            "detail": {"read": {"seconds": round(read["seconds"], 3), "cpu_s": round(read["cpu_s"], 3),
                                **_last_json(out_dir / "floor-read.log")},
                       "write": {**w, "process_peak_rss_mib": round(write["peak_tree_rss_mib"])}}}


def run_once(approach: str, inbox: Path, manifest: dict, out_dir: Path) -> dict[str, Any]:
    if approach == "floor":
        if not (out_dir / "ntvt-cells.xlsx").exists():  # the floor writes ntvt's cells: one untimed ntvt run first
            run_once("ntvt", inbox, manifest, out_dir)
        return run_floor(inbox, out_dir)
    output = output_path(out_dir, approach)
    for stale in (output, Path(str(output) + ".findings.json")):
        stale.unlink(missing_ok=True)
    cmd = ntvt_command(inbox, output, manifest) if approach == "ntvt" else peer_command(approach, inbox, output,
                                                                                        manifest)
    result = measure(cmd, out_dir / f"{approach}.log")
    ok = result["returncode"] in ((0, 1) if approach == "ntvt" else (0,)) and output.exists()
    if not ok:
        log = (out_dir / f"{approach}.log").read_text(encoding="utf-8", errors="replace")
        raise RuntimeError(f"{approach} failed (exit {result['returncode']}) on {inbox}:\n{log[-3000:]}")
    if approach == "ntvt" and not (out_dir / "ntvt-cells.xlsx").exists():
        shutil.copyfile(output, out_dir / "ntvt-cells.xlsx")  # untimed: the cells the floor's writer writes
    return result


def warm(inbox: Path) -> None:
    """Bring the inbox into the page cache, so that no approach pays the first read from disk."""
    for path in inbox_files(inbox):
        path.read_bytes()


def _summary(a: str, n: int, measured_n: int, runs: list[dict], manifest: dict, output: Path, big: dict) -> dict:
    measured = statistics.median(r["seconds"] for r in runs)
    by_rule, by_cell = approach_recall(a, output, manifest)
    return {
        "n": n, "approach": a, "label": LABELS[a], "measured_on_files": measured_n, "extrapolated": measured_n != n,
        "median_s": measured * n / measured_n, "measured_median_s": measured,
        "median_cpu_s": statistics.median(r["cpu_s"] for r in runs) * n / measured_n,
        "runs_s": [r["seconds"] for r in runs], "runs_cpu_s": [r["cpu_s"] for r in runs],
        "load": [[r["load_before"], r["load_after"]] for r in runs], "commits": sorted({r["commit"] for r in runs}),
        "peak_tree_rss_mib": max(r["peak_tree_rss_mib"] for r in runs),
        "peak_tree_pss_mib": max(r["peak_tree_pss_mib"] for r in runs),
        "detail": [r["detail"] for r in runs if "detail" in r],
        "recall_cell_rule": by_rule, "recall_cell": by_cell, "rows": big["rows"], "planted": big["planted_count"],
    }


def bench(ns: list[int], repeats: dict[int, int], seed: int, work: Path, subset: int, approaches: list[str],
          warmup: bool, partial: Path | None = None) -> list[dict[str, Any]]:
    """The results of every approach at every N; after each N, those so far are written to `partial`."""
    results, skipped = [], []
    if "frictionless" in approaches and importlib.util.find_spec("frictionless") is None:
        approaches = [a for a in approaches if a != "frictionless"]
        skipped.append("frictionless")
        print(f"(d) frictionless skipped: the package is not installed. Install it with: {INSTALL_HINT}", flush=True)
    if warmup:  # imports compiled and cached, lazy imports done, once, untimed
        inbox, manifest = ensure_inbox(work, 20, seed)
        out_dir = inbox.parent / "out" / "warm-up"
        shutil.rmtree(out_dir, ignore_errors=True)
        out_dir.mkdir(parents=True)
        for approach in approaches:
            run_once(approach, inbox, manifest, out_dir)
    peer_runs: dict[tuple[str, int], dict] = {}  # the peers on the subset: measured once per run, then scaled
    for n in ns:
        inbox, manifest = ensure_inbox(work, n, seed)
        plan = {a: (inbox, manifest, n) for a in approaches}
        if n > subset:
            small, small_manifest = ensure_inbox(work, subset, seed)
            plan.update({a: (small, small_manifest, subset) for a in PEERS if a in plan})
        out_dirs = {}
        for a, (box, _, measured_n) in plan.items():
            out_dirs[a] = box.parent / "out" / f"for-n{measured_n if a in PEERS else n}"
            if a == "ntvt":
                shutil.rmtree(out_dirs[a], ignore_errors=True)  # a fresh ntvt output gives the floor its cells
            out_dirs[a].mkdir(parents=True, exist_ok=True)
            warm(box)
        todo = [a for a in APPROACHES if a in approaches and (a, plan[a][2]) not in peer_runs]
        runs: dict[str, list[dict]] = {a: [] for a in todo}
        for rep in range(repeats[n] if todo else 0):
            order = todo[rep % len(todo):] + todo[:rep % len(todo)]
            for a in (order[::-1] if rep % 2 else order):
                box, man, measured_n = plan[a]
                # The commit the run starts from (the checker may change between runs on a shared
                # tree; the process imports it at its start).
                commit = code_version()
                r = run_once(a, box, man, out_dirs[a])
                r["commit"] = commit
                runs[a].append(r)
                print(f"  N={n} rep {rep + 1}/{repeats[n]} {a}: {r['seconds']:.2f} s, CPU {r['cpu_s']:.1f} s, "
                      f"peak tree RSS {r['peak_tree_rss_mib']:.0f} MiB / PSS {r['peak_tree_pss_mib']:.0f} MiB, "
                      f"load {r['load_before'][0]:.2f} → {r['load_after'][0]:.2f}"
                      + (f" (on {measured_n} files)" if measured_n != n else ""), flush=True)
        for a in sorted(approaches, key=ORDER.index):
            box, man, measured_n = plan[a]
            if a in PEERS and measured_n != n:
                runs[a] = peer_runs.setdefault((a, measured_n), {"runs": runs.get(a)})["runs"]
            elif a in PEERS:
                peer_runs[(a, measured_n)] = {"runs": runs[a]}
            results.append(_summary(a, n, measured_n, runs[a], man, output_path(out_dirs[a], a), manifest))
        for a in skipped:
            results.append({"n": n, "approach": a, "label": LABELS[a], "skipped": f"not installed: {INSTALL_HINT}"})
        if partial:  # a long run cut short keeps what it measured
            ratios(results)
            partial.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    ratios(results)
    return results


def row_wall(work: Path, n: int, seed: int) -> dict[str, Any]:
    """ntvt once on n files: what it did (refusal included), and the sheets and row counts it wrote."""
    import python_calamine

    inbox, manifest = ensure_inbox(work, n, seed)
    out_dir = inbox.parent / "out" / "row-wall"
    out_dir.mkdir(parents=True, exist_ok=True)
    output = output_path(out_dir, "ntvt")
    output.unlink(missing_ok=True)
    warm(inbox)
    commit = code_version()  # before: the tree may change during a run this long
    r = measure(ntvt_command(inbox, output, manifest), out_dir / "ntvt.log")
    log = (out_dir / "ntvt.log").read_text(encoding="utf-8", errors="replace").strip().splitlines()
    r.update(n=n, rows=manifest["rows"], commit=commit, last_lines=log[-6:], sheets=None)
    if output.exists():
        book = python_calamine.CalamineWorkbook.from_path(str(output))
        r["sheets"] = {name: book.get_sheet_by_name(name).height for name in book.sheet_names}
        r["output_bytes"] = output.stat().st_size
    return r


def startup_seconds(repeats: int = 3) -> float:
    """ntvt's fixed cost: `python -m checker --help` (interpreter, imports, click), median of a few."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "checker", "--help"], cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def code_version() -> str:
    """The commit of the checker measured (and whether the work tree had changes), for the record."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "checker"], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout.strip()
        return head + (" (checker/ modified)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict[str, Any]:
    info = {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}
    try:
        with open("/proc/meminfo") as fh:
            info["mem_gib"] = round(int(fh.readline().split()[1]) / 2**20, 1)
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    for pkg in ("pandas", "pandera", "openpyxl", "xlsxwriter", "python-calamine", "frictionless"):
        try:
            info[pkg] = version(pkg)
        except PackageNotFoundError:
            info[pkg] = None
    return info


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", help="inbox sizes (default 100 1000, unless only --row-wall)")
    parser.add_argument("--repeats", type=int, nargs="+", default=[3],
                        help="repeats: one number, or one per N in the order given (e.g. 3 3 1 1)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--work", type=Path, default=Path("/tmp/ntvt-bench"), help="cache of inboxes and outputs")
    parser.add_argument("--out", type=Path, help="results JSON (default WORK/results.json)")
    parser.add_argument("--subset", type=int, default=1000,
                        help="above this N, (c) and (d) run on the first SUBSET files and are scaled")
    parser.add_argument("--approaches", nargs="+", default=APPROACHES, choices=APPROACHES)
    parser.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up run on 20 files")
    parser.add_argument("--row-wall", type=int, nargs="?", const=50000, metavar="N",
                        help="also run ntvt once on N files (default 50,000) and record what it wrote")
    parser.add_argument("--split", action="store_true", help="also time ntvt's stages in-process at the largest N")
    parser.add_argument("--copy-cost", action="store_true", help="also time the copy check (in-process) per N")
    # internal: one peer in a child process
    parser.add_argument("--child", choices=list(PEERS), help=argparse.SUPPRESS)
    parser.add_argument("--inbox", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--as-of", help=argparse.SUPPRESS)
    parser.add_argument("--schemas", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.n is None:
        args.n = [] if args.row_wall else [100, 1000]
    if len(args.repeats) not in (1, len(args.n)):
        parser.error("--repeats takes one number or one per --n")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any] | None:
    args = parse(argv)
    if args.child:
        from benchmarks import peers

        if args.child == "naive":
            peers.child_naive(args.inbox, args.output, dt.date.fromisoformat(args.as_of))
        else:
            peers.child_frictionless(args.inbox, args.output, args.schemas)
        return None
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    version = code_version()
    print(f"checker at {version}; load average {os.getloadavg()[0]:.2f}", flush=True)
    repeats = dict(zip(args.n, args.repeats * len(args.n) if len(args.repeats) == 1 else args.repeats))
    ns = sorted(args.n)
    out = args.out or work / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    results = bench(ns, repeats, args.seed, work, args.subset, list(args.approaches), not args.no_warmup,
                    out.with_suffix(".partial.json")) if ns else []
    startup = startup_seconds() if "ntvt" in args.approaches else None
    table = markdown(results)
    report: dict[str, Any] = {
        "date": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine(), "commit": version,
        "command": "python benchmarks/run.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "repeats": repeats, "seed": args.seed, "subset": args.subset,
        "memory_method": f"sums of Rss and of Pss (/proc/<pid>/smaps_rollup) over the child and all its "
                         f"descendants, sampled every {SAMPLE_SECONDS * 1000:.0f} ms; the peak of each sum",
        "cpu_method": "user + sys of the child and the descendants it waited for (os.wait4); the floor's "
                      "is its reading tree's plus its writing's process_time",
        "ntvt_startup_s": startup, "results": results, "table": table,
    }
    print(f"\nmedians; repeats per N {repeats}; machine: {report['machine']['cpus']} CPUs, "
          f"Python {report['machine']['python']}")
    print(table)
    slope = memory_slope(results)
    if slope:
        report["memory_slope"] = slope
        print(f"ntvt's peak memory grows {slope['pss_mib_per_1000']:.0f} MiB PSS ({slope['rss_mib_per_1000']:.0f} MiB "
              f"RSS) per 1,000 files (least squares over N = {', '.join(f'{n:,}' for n in slope['ns'])})")
    if startup is not None:
        print(f"ntvt's fixed start-up cost (`python -m checker --help`: interpreter, imports): {startup:.2f} s")
    if any(r.get("extrapolated") for r in results):
        print(f"≈: extrapolated linearly from the first {args.subset:,} files of the same seeded inbox; "
              "its peak memory is the one measured on those files.")
    if args.row_wall:
        wall = report["row_wall"] = row_wall(work, args.row_wall, args.seed)
        print(f"\nrow wall: ntvt on {wall['n']:,} files ({wall['rows']['nominations']:,} nominations): exit "
              f"{wall['returncode']}, {wall['seconds']:.1f} s, CPU {wall['cpu_s']:.1f} s, peak tree RSS "
              f"{wall['peak_tree_rss_mib']:.0f} / PSS {wall['peak_tree_pss_mib']:.0f} MiB, load "
              f"{wall['load_before'][0]:.2f} → {wall['load_after'][0]:.2f}")
        print("  sheets: " + (", ".join(f"“{k}” {v:,} rows" for k, v in wall["sheets"].items()) if wall["sheets"]
                              else "no workbook written") + "\n  last lines: " + " / ".join(wall["last_lines"]))
    from benchmarks.stages import extras  # lazy: imports checker in this process, only when asked

    report.update(extras(args, work, ns, ensure_inbox))
    report["seconds"] = round(time.perf_counter() - started, 1)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nresults: {out}")
    return report


if __name__ == "__main__":
    main()
