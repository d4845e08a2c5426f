"""The benchmark's table, ratios and memory slope, from the results of benchmarks/run.py."""

from __future__ import annotations

LETTER = {"floor": "a", "ntvt": "b", "naive": "c", "frictionless": "d"}


def ratios(results: list[dict]) -> None:
    """(b)/(a) for ntvt: how far from the true floor; (c)/(b) and (d)/(b) for the peers."""
    by = {(r["n"], r["approach"]): r for r in results if "median_s" in r}
    for r in results:
        if "median_s" not in r:
            continue
        base = {"ntvt": "floor", "naive": "ntvt", "frictionless": "ntvt"}.get(r["approach"])
        ref = by.get((r["n"], base)) if base else None
        r["ratio_to"] = base
        r["ratio"] = r["median_s"] / ref["median_s"] if ref else None


def memory_slope(results: list[dict], approach: str = "ntvt") -> dict | None:
    """Least-squares slope of the peak memory over N, in MiB per 1,000 files (None under two N)."""
    points = sorted((r["n"], r["peak_tree_pss_mib"], r["peak_tree_rss_mib"]) for r in results
                    if r.get("approach") == approach and "median_s" in r)
    if len({n for n, _, _ in points}) < 2:
        return None

    def slope(ys: list[float]) -> float:
        xs = [n / 1000 for n, _, _ in points]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)

    return {"approach": approach, "ns": [n for n, _, _ in points],
            "pss_mib_per_1000": round(slope([p for _, p, _ in points]), 1),
            "rss_mib_per_1000": round(slope([r for _, _, r in points]), 1)}


def _share(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _load(r: dict) -> str:
    before = [b[0] for b, _ in r["load"]]
    after = [a[0] for _, a in r["load"]]
    return f"{min(before):.1f}–{max(before):.1f} → {min(after):.1f}–{max(after):.1f}"


def markdown(results: list[dict]) -> str:
    lines = ["| N | approach | median s | ratio | CPU s | peak RSS / PSS MiB (process tree) | recall (file, cell, rule) "
             "| recall (file, cell) | load before → after |", "|---:|---|---:|---|---:|---:|---:|---:|---|"]
    for r in results:
        if "skipped" in r:
            lines.append(f"| {r['n']:,} | {r['label']} | skipped: {r['skipped']} | | | | | | |")
            continue
        seconds, cpu = f"{r['median_s']:.2f}", f"{r['median_cpu_s']:.1f}"
        memory = f"{r['peak_tree_rss_mib']:.0f} / {r['peak_tree_pss_mib']:.0f}"
        if r["extrapolated"]:
            seconds = f"≈ {r['median_s']:.0f} (×{r['n'] / r['measured_on_files']:g} from {r['measured_on_files']:,} files)"
            cpu = f"≈ {r['median_cpu_s']:.0f}"
            memory += f" (on {r['measured_on_files']:,} files)"
        ratio = "1 (floor)" if r["approach"] == "floor" else (
            f"({LETTER[r['approach']]})/({LETTER[r['ratio_to']]}) = {r['ratio']:.2f}" if r.get("ratio") else "–")
        lines.append(f"| {r['n']:,} | {r['label']} | {seconds} | {ratio} | {cpu} | {memory} | "
                     f"{_share(r['recall_cell_rule'])} | {_share(r['recall_cell'])} | {_load(r)} |")
    return "\n".join(lines)
