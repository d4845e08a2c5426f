"""The true floor, approach (a) of benchmarks/run.py, as two child processes:

    python benchmarks/floor.py read INBOX --sheets NAME...        # both cores read every cell
    python benchmarks/floor.py write CELLS.xlsx OUTPUT.xlsx       # the lean writer writes those cells

`read`: python-calamine reads every cell (`to_python()`) of the sheets ntvt reads (run.py passes
their names, read from the rules YAML), in 2 processes started with multiprocessing "spawn", the
files split evenly between them; each returns only its counts. `write`: the cells of ntvt's own
consolidated workbook for that inbox (CELLS.xlsx, read with calamine sheet by sheet, untimed) are
written with benchmarks/lean_xlsx.py; only the writing is timed, and printed as JSON with its CPU
seconds. Imports nothing of checker/.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import time
from pathlib import Path

if __name__ == "__main__":  # run as a script (and as the spawned workers' main): the repository on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORKERS = 2


def read_chunk(job: tuple[list[str], list[str]]) -> tuple[int, int, int]:
    """(files, rows, cells) read from these files."""
    import python_calamine  # lazy: only the workers parse

    paths, sheets = job
    rows = cells = 0
    for path in paths:
        book = python_calamine.CalamineWorkbook.from_path(path)
        present = set(book.sheet_names)
        for name in sheets:
            if name in present:
                grid = book.get_sheet_by_name(name).to_python()
                rows += len(grid)
                cells += sum(len(r) for r in grid)
    return len(paths), rows, cells


def read(inbox: Path, sheets: list[str]) -> dict:
    from benchmarks.files import inbox_files  # lazy: the spawned workers do not need it

    paths = [str(p) for p in inbox_files(inbox)]
    chunks = [(paths[i::WORKERS], sheets) for i in range(WORKERS)]
    with multiprocessing.get_context("spawn").Pool(WORKERS) as pool:
        counts = pool.map(read_chunk, chunks, chunksize=1)
    return {"files": sum(c[0] for c in counts), "rows": sum(c[1] for c in counts),
            "cells": sum(c[2] for c in counts), "sheets": sheets, "workers": WORKERS}


def write(cells_from: Path, output: Path) -> dict:
    import python_calamine  # lazy: start-up cost of the read child is kept to the minimum

    from benchmarks.lean_xlsx import LeanWriter  # lazy: as above

    book = python_calamine.CalamineWorkbook.from_path(str(cells_from))
    writer = LeanWriter(output)
    wall = cpu = 0.0
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)  # untimed: the cells to write
        t, c = time.perf_counter(), time.process_time()
        writer.add_sheet(name, rows)
        wall, cpu = wall + time.perf_counter() - t, cpu + time.process_time() - c
        del rows
    t, c = time.perf_counter(), time.process_time()
    writer.close()
    wall, cpu = wall + time.perf_counter() - t, cpu + time.process_time() - c
    return {"write_s": round(wall, 3), "write_cpu_s": round(cpu, 3), "cells": writer.cells,
            "shared_strings": len(writer.strings), "sheets": len(writer.sheets), "bytes": output.stat().st_size}


def main(argv: list[str]) -> None:
    if argv[0] == "read":
        at = argv.index("--sheets")
        print(json.dumps(read(Path(argv[1]), argv[at + 1:]), ensure_ascii=False))
    else:
        print(json.dumps(write(Path(argv[1]), Path(argv[2]))))


if __name__ == "__main__":
    main(sys.argv[1:])
