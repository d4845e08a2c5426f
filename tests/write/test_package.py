"""Annotated copies and reply drafts are a function of the inputs and as_of: no clock in their bytes."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from checker import consolidate, validate_files, write_annotated_copies
from checker.write.package import end_of

from ..conftest import good_row

AS_OF = dt.date(2023, 5, 20)


def _copy(path: Path, out: Path, rules) -> bytes:
    validation = validate_files([path], rules, as_of=AS_OF)
    [copy] = write_annotated_copies(validation, out, inputs=[path], as_of=AS_OF)
    return copy.read_bytes()


def _feedback(inbox: Path, out: Path, rules) -> dict[str, bytes]:
    consolidate(inbox, None, rules, as_of=AS_OF, feedback=out)
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_copy_is_dated_the_end_of_as_of(tmp_path, make_book, rules):
    """The copy's document times and every zip entry's date are the last second of as_of, local time."""
    path = make_book([good_row(gender="Na")], name="cheo.xlsx")
    data = _copy(path, tmp_path / "out", rules)
    end = end_of(rules, AS_OF)
    with zipfile.ZipFile(tmp_path / "out" / "cheo_danh_dau.xlsx") as package:
        assert {info.date_time for info in package.infolist()} == {(2023, 5, 20, 23, 59, 58)}
        core = package.read("docProps/core.xml").decode()
    assert end.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") == "2023-05-20T16:59:59Z"
    assert core.count("2023-05-20T16:59:59Z") == 2  # created and modified
    assert data


def test_copy_is_the_same_bytes_twice(tmp_path, make_book, rules):
    """The same input and as_of, written seconds apart, give the same bytes."""
    path = make_book([good_row(gender="Na")], name="cheo.xlsx")
    first = _copy(path, tmp_path / "a", rules)
    time.sleep(2.1)  # a zip entry's date has two-second steps
    assert _copy(path, tmp_path / "b", rules) == first


def test_copy_is_the_same_bytes_in_another_process(tmp_path, make_book, rules):
    """Another process, in another time zone, writes the same copy byte for byte."""
    path = make_book([good_row(gender="Na")], name="cheo.xlsx")
    first = _copy(path, tmp_path / "a", rules)
    code = ("import datetime as dt, sys; from pathlib import Path; from checker import load_rules, validate_files, "
            "write_annotated_copies; p = Path(sys.argv[1]); rules = load_rules(); "
            "v = validate_files([p], rules, as_of=dt.date(2023, 5, 20)); "
            "write_annotated_copies(v, Path(sys.argv[2]), inputs=[p], as_of=dt.date(2023, 5, 20))")
    env = {**os.environ, "TZ": "America/New_York"}
    subprocess.run([sys.executable, "-c", code, str(path), str(tmp_path / "b")], check=True, env=env, timeout=300)
    assert (tmp_path / "b" / "cheo_danh_dau.xlsx").read_bytes() == first


def test_reply_drafts_are_the_same_bytes_twice(tmp_path, make_book, rules):
    """Two runs of the feedback over one inbox write the same folders, copies and .eml drafts."""
    inbox = tmp_path / "inbox"
    make_book([good_row(gender="Na")], directory=inbox)
    first = _feedback(inbox, tmp_path / "a", rules)
    time.sleep(2.1)
    second = _feedback(inbox, tmp_path / "b", rules)
    assert any(name.endswith(".eml") for name in first) and any(name.endswith(".xlsx") for name in first)
    assert second == first
