"""Where ntvt's time goes (library stages timed by wrapping them from outside; checker/ is unchanged),
and the copy check's own cost."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from benchmarks.files import inbox_files


def time_split(inbox: Path, manifest: dict, output: Path) -> list[tuple[str, float]]:
    import importlib

    from checker import load_rules

    # The stages are wrapped where they are looked up: api.py calls gather, validate and the writer.
    api_mod = importlib.import_module("checker.api")
    check_mod = importlib.import_module("checker.validate.pipeline")
    rule_mod = importlib.import_module("checker.validate.rule_findings")
    cons = importlib.import_module("checker.decide.consolidation")
    xml_mod = importlib.import_module("checker.write.streaming")
    # Where consolidate finds them when it runs (it imports them on use, from their modules).
    inbox_mod = importlib.import_module("checker.read.inbox")
    book_mod = importlib.import_module("checker.write.workbook")

    spent: dict[str, float] = {}
    # Stages that do not exist in the checker measured (the pipeline changes) are left out; the ones
    # indented are inside the stage above them. Time spent in the forked worker is in the stage that waits.
    stages = [
        (inbox_mod, "gather", "gather: walk the inbox, fingerprint the files"),
        (api_mod, "validate", "validate (total, includes the indented stages)"),
        (check_mod, "read_and_frame", "  read_and_frame: calamine read + frames, parent + 1 worker"),
        (rule_mod, "run_schema", "  run_schema: pandera, row and file rules"),
        (check_mod, "reading_findings", "  reading findings"),
        (cons, "decide_files", "decide files of record"),
        (cons, "status_tables", "status tables (unit × cycle)"),
        (cons, "campaign_findings", "campaign rules (incl. their pandera run)"),
        (book_mod, "write_consolidated", "write_consolidated: the output workbook"),
        (xml_mod, "splice", "  splice: big sheets' rows streamed into it (zip copied once)"),
    ]
    stages = [s for s in stages if callable(getattr(s[0], s[1], None))]
    saved = []

    def wrap(mod, attr, label):
        original = getattr(mod, attr)
        saved.append((mod, attr, original))

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - t

        setattr(mod, attr, timed)

    for mod, attr, label in stages:
        wrap(mod, attr, label)
    try:
        output.unlink(missing_ok=True)
        rules = load_rules()
        t = time.perf_counter()
        result = api_mod.consolidate(inbox, output, rules, as_of=dt.date.fromisoformat(manifest["as_of"]))
        total = time.perf_counter() - t
    finally:
        for mod, attr, original in saved:
            setattr(mod, attr, original)
    named = [(label, spent[label]) for _, _, label in stages if spent.get(label)]  # 0: ran in workers only
    # After a stage with timed stages inside it (indented), what the inner ones do not account for.
    rests = {"validate": "  rest of validate: rendering findings and messages",
             "write_consolidated": "  rest of the output: xlsxwriter's sheets, layout, comments"}
    at = 0
    while at < len(named):
        end = at + 1
        while end < len(named) and named[end][0].startswith("  "):
            end += 1
        rest = next((text for key, text in rests.items() if named[at][0].startswith(key)), None)
        if rest and end > at + 1:
            named.insert(end, (rest, named[at][1] - sum(s for _, s in named[at + 1:end])))
            end += 1
        at = end
    accounted = sum(s for label, s in named if not label.startswith("  "))
    named.append(("rest (sorting findings, Consolidation object…)", total - accounted))
    named.append(("total consolidate() in-process", total))
    print(f"  ({len(result.findings)} findings, {result.counts['rows_in']} rows)")
    return named


def copy_check_cost(inbox: Path, manifest: dict) -> dict[str, Any]:
    """The copy check's own cost at this N (DN-SAOCHEP, kind copied_text, checker/validate/copy_kinds):
    one in-process validation of the inbox, with copy_kinds.copies (the detection: keys, exact
    groups, cdist or MinHash LSH, rapidfuzz) timed from outside. It runs twice per batch: once for
    the verdicts, once more when the warnings are rendered (the other copy to name)."""
    from checker import load_rules
    from checker.api import validate_files
    from checker.validate import copy_kinds

    calls: list[float] = []
    original = copy_kinds.copies

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            calls.append(time.perf_counter() - t)

    copy_kinds.copies = timed
    try:
        t = time.perf_counter()
        validation = validate_files(inbox_files(inbox), load_rules(), as_of=dt.date.fromisoformat(manifest["as_of"]))
        total = time.perf_counter() - t
    finally:
        copy_kinds.copies = original
    rows = sum(len(frame) for frame in validation.frames.tables.values() if "summary" in frame)
    warned = sum(f.rule_id == "DN-SAOCHEP" for f in validation.findings)
    return {"seconds": round(sum(calls), 3), "calls": len(calls), "rows": rows, "warned": warned,
            "validate_seconds": round(total, 2)}


def extras(args, work: Path, ns: list[int], ensure_inbox) -> dict[str, Any]:
    """The in-process measurements run.py adds when asked: --copy-cost per N, --split at the largest N."""
    out: dict[str, Any] = {}
    if args.copy_cost:
        out["copy_check"] = {}
        for n in ns:
            cost = out["copy_check"][n] = copy_check_cost(*ensure_inbox(work, n, args.seed))
            print(f"copy check (DN-SAOCHEP) at N={n}: {cost['seconds']:.2f} s in {cost['calls']} call(s) on "
                  f"{cost['rows']:,} nominations, {cost['warned']:,} warned (in-process validate: "
                  f"{cost['validate_seconds']:.1f} s)", flush=True)
    if args.split and ns:
        n = max(ns)
        inbox, manifest = ensure_inbox(work, n, args.seed)
        print(f"\nwhere ntvt's time goes at N={n} (one in-process run, stages wrapped from outside):")
        split = time_split(inbox, manifest, inbox.parent / "out" / "split.xlsx")
        total = split[-1][1]
        for label, seconds in split:
            print(f"  {label:<60} {seconds:8.2f} s  {seconds / total:6.1%}")
        out["split"] = {"n": n, "stages": split}
    return out
