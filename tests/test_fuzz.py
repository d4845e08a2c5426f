"""Fuzzing: random workbooks and mutated bytes never crash a run, and every file is accounted for.

In CI this runs a bounded number of cases (HYPOTHESIS_PROFILE=ci). The long run is
`HYPOTHESIS_PROFILE=fuzz python -m pytest tests/test_fuzz.py -q` (see docs/SECURITY.md for what it ran
and found).
"""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.read.submission import Submission
from checker.validate.pipeline import validate
from checker.cli import main
from checker.write.filling import Raw, fill_template
from checker.ruleset.loader import load_rules

from .conftest import good_info, good_row

RULES = load_rules()
AS_OF = dt.date(2023, 7, 25)
FIELDS = [f.key for f in RULES.sheet("nominations").fields]

# Excel itself refuses control characters in cells, so units cannot send them.
texts = st.text(max_size=40).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s))
cell_values = st.one_of(
    st.none(),
    texts,
    st.text(alphabet="àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ µ¸¶·¹®¬«ª©¨§\xad",
            max_size=30),
    st.sampled_from(["=1+1", "=HYPERLINK(\"http://x\",\"y\")", "+84", "-", "@SUM(A1)", "x", "X", "Có", "có",
                     "31/02/2023", "05/31/2023", "1/1/1", "1985", "  Nam ", "NỮ", "Cá nhân", "Tập thể"]),
    st.integers(min_value=-10**9, max_value=10**9),
    st.floats(allow_nan=True, allow_infinity=False),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.booleans(),
    st.sampled_from(["Người tốt việc tốt " * 160, "x" * 3001]),
)
rows = st.lists(st.dictionaries(st.sampled_from(FIELDS), cell_values, max_size=len(FIELDS)), max_size=6)
drifts = st.lists(st.sampled_from(["rows_above", "blank_row", "drop_column", "move_column", "rename_sheet",
                                   "signature", "merge"]), max_size=3, unique=True)


def _apply(path: Path, drift: list[str], rng: random.Random) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Danh sách đề nghị"]
    for kind in drift:
        if kind == "rows_above":
            ws.insert_rows(1, rng.randint(1, 4))
        elif kind == "blank_row":
            ws.insert_rows(rng.randint(5, 9))
        elif kind == "drop_column":
            ws.delete_cols(rng.randint(1, 19))
        elif kind == "move_column":
            letter = "ABCDEFGHIJKLMNOPQRS"[rng.randint(0, 18)]
            ws.move_range(f"{letter}1:{letter}40", cols=20 - "ABCDEFGHIJKLMNOPQRS".index(letter))
        elif kind == "rename_sheet":
            ws.title = "DS de nghi thang"
        elif kind == "signature":
            ws.cell(row=ws.max_row + 2, column=2, value="THỦ TRƯỞNG ĐƠN VỊ")
        elif kind == "merge":
            ws.merge_cells("F5:F6")
    wb.save(path)


def _raw(row: dict) -> dict:
    return {k: (Raw(v) if isinstance(v, str) else v) for k, v in row.items()}


@settings(max_examples=settings().max_examples)
@given(rows=rows, drift=drifts, seed=st.integers(0, 2**16), info_unit=st.sampled_from(["CHEO", None]))
def test_random_workbooks_never_crash(tmp_path_factory, rows, drift, seed, info_unit):
    """Any values of any type in any column, with layout drift, give findings, never an exception."""
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "f.xlsx"
    fill_template(RULES, path, as_of=dt.date(2023, 5, 2), unit=info_unit, period="2023-05",
                  info=good_info(), nominations=[good_row()] + [_raw(r) for r in rows])
    _apply(path, drift, random.Random(seed))
    validation = validate([Submission("f.xlsx", path.read_bytes())], RULES, as_of=AS_OF)
    report = validation.report()
    assert [f.status for f in report.files] in (["checked"], ["rejected"])
    table = validation.frames.tables["nominations"]
    book = validation.books[0]
    assert len(table) == (len(book.tables["nominations"].rows) if "nominations" in book.tables else 0)
    for finding in report.findings:
        assert finding.message and finding.rule_id and finding.clause


def _mutate(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    kind = rng.choice(["flip", "truncate", "insert", "zero_run", "member"])
    if kind == "flip":
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == "truncate":
        data = data[: rng.randrange(len(data))]
    elif kind == "insert":
        pos = rng.randrange(len(data))
        data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))
    elif kind == "zero_run":
        pos = rng.randrange(len(data))
        data[pos: pos + rng.randint(1, 500)] = b"\0" * 500
    return bytes(data)


BASE = None


def _base(tmp_path_factory) -> bytes:
    global BASE
    if BASE is None:
        path = tmp_path_factory.mktemp("base") / "base.xlsx"
        fill_template(RULES, path, as_of=dt.date(2023, 5, 2), unit="CHEO", period="2023-05", info=good_info(),
                      nominations=[good_row(1), good_row(2, gender="Na")])
        BASE = path.read_bytes()
    return BASE


@settings(max_examples=settings().max_examples * 4)
@given(seed=st.integers(0, 2**32 - 1))
def test_mutated_bytes_never_crash(tmp_path_factory, seed):
    """Byte-level mutations of a valid workbook are read or rejected with a reason, never a crash."""
    rng = random.Random(seed)
    data = _mutate(_base(tmp_path_factory), rng)
    validation = validate([Submission("m.xlsx", data), Submission("ok.xlsx", _base(tmp_path_factory))], RULES,
                          as_of=AS_OF)
    report = validation.report()
    assert len(report.files) == 2
    assert report.files[1].status == "checked"
    if report.files[0].status == "rejected":
        assert report.files[0].reason


@settings(max_examples=max(3, settings().max_examples // 3))
@given(seeds=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=4))
def test_cli_exit_codes_on_mutated_inboxes(tmp_path_factory, seeds):
    """`ntvt consolidate` on an inbox of mutated files exits 0, 1 or 2 and accounts for every file."""
    inbox = tmp_path_factory.mktemp("inbox")
    for n, seed in enumerate(seeds):
        (inbox / f"t{n}.xlsx").write_bytes(_mutate(_base(tmp_path_factory), random.Random(seed)))
    out = tmp_path_factory.mktemp("out") / "tong_hop.xlsx"
    result = CliRunner().invoke(main, ["consolidate", str(inbox), "-o", str(out), "--as-of", "2023-07-25"])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    with zipfile.ZipFile(out) as z:
        assert "xl/workbook.xml" in z.namelist()
    assert f"{len(seeds)} tệp báo cáo" in result.output
