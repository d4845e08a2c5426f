"""Parallel reading: no file stops a batch, a dying worker costs only its file, and every start method
(spawn, as on Windows, with os.fork absent; forkserver; in-process) gives the same report."""

from __future__ import annotations

import collections
import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.generate import AS_OF, generate
from checker import check_many
from checker import consolidate
from checker.read.regular import NotRegular, open_regular
from checker.read.submission import Submission
from checker.validate.batch import CRASHED, PARALLEL_FROM, TEST_CRASH_ENV
from checker.validate.pipeline import read_paths, validate
from checker.process.workers import START_METHOD_ENV, Died, Failed, WorkerPool, WorkersUnavailable, start_method

from ..builders import hostile_parallel as hp
from ..conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="builds FIFOs and sockets; forks a fork server")

# (file name, builder from a good workbook's bytes, code, reason)
BROKEN = [
    ("rong.xlsx", hp.empty, "empty", "tệp rỗng (0 byte)"),
    ("cat_cut.xlsx", hp.truncated, "corrupt", "tệp nén hỏng hoặc bị cắt cụt (không mở được)"),
    ("van_ban.xlsx", hp.pdf_renamed, "not_spreadsheet", "không phải bảng tính (nội dung là tệp PDF)"),
    ("anh.xls", hp.png_renamed, "not_spreadsheet", "không phải bảng tính (nội dung là ảnh PNG)"),
    ("trang_web.xlsx", hp.html_renamed, "not_spreadsheet", "không phải bảng tính (nội dung là trang HTML)"),
    ("mat_khau.xlsx", hp.encrypted, "encrypted", "tệp có mật khẩu: hãy gỡ mật khẩu rồi gửi lại"),
]
# Entries that are not regular files: never opened (a FIFO would block forever, a device never end).
SPECIAL = [
    ("ong_dan.xlsx", hp.fifo, "không phải tệp thông thường (ống dẫn FIFO): không đọc"),
    ("o_cam.xlsx", hp.unix_socket, "không phải tệp thông thường (socket): không đọc"),
    ("thiet_bi.xlsx", hp.link_to("/dev/zero"), "không phải tệp thông thường (thiết bị ký tự): không đọc"),
    ("thu_muc.xlsx", hp.folder, "không phải tệp thông thường (thư mục): không đọc"),
    ("lien_ket_ong_dan.xlsx", hp.link_to("ong_dan.xlsx"), "không phải tệp thông thường (ống dẫn FIFO): không đọc"),
]
# Good files made to fail in the worker that reads them (check.py's test-only NTVT_TEST_CRASH_ON):
# index among the good files (0 and 1 share a chunk) -> how, code, reason.
FAULTS = {
    0: ("abort", "reader_crashed", CRASHED.reason),
    1: ("kill", "reader_crashed", CRASHED.reason),
    20: ("abort_late", "reader_crashed", CRASHED.reason),  # dies after its chunk is read: found alone
    30: ("exit", "reader_crashed", CRASHED.reason),
    50: ("raise", "reader_error", "lỗi khi xử lý nội dung tệp (RuntimeError): hãy kiểm tra lại tệp, lưu lại bằng "
                                  "Excel rồi gửi lại"),
    69: ("unpicklable", "reader_error", "lỗi khi xử lý nội dung tệp (TypeError): hãy kiểm tra lại tệp, lưu lại "
                                        "bằng Excel rồi gửi lại"),
}


@contextlib.contextmanager
def environment(**values: str | None):
    """Set (or, with None, unset) environment variables for the duration; worker processes see them."""
    saved = {key: os.environ.get(key) for key in values}
    try:
        for key, value in values.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
        yield
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)


def run(paths, rules, *, workers, method=None, faults=None):
    """validate() on the paths; returns (report, the progress callback's counts: one per file read
    in this process, one per chunk read by a worker process)."""
    seen = []
    spec = ",".join(f"{paths[i].name}:{how}" for i, (how, _, _) in (faults or {}).items()) or None
    with environment(**{START_METHOD_ENV: method, TEST_CRASH_ENV: spec}):
        report = validate(read_paths(paths), rules, as_of=AS_OF, progress=seen.append, workers=workers).report()
    return report, seen


def by_file(report, leave_out: str | None = None) -> dict[str, tuple[dict, list[dict]]]:
    """Each file's result and its findings (but those of rule `leave_out`), as plain data."""
    data = report.to_dict()
    findings = collections.defaultdict(list)
    for f in data["findings"]:
        if f["rule_id"] != leave_out:
            findings[f["file"]].append(f)
    return {f["name"]: (f, findings[f["name"]]) for f in data["files"]}


# -- the batch: 70 generated reports, one file of each broken kind, special entries --------------


@pytest.fixture(scope="module")
def inbox(tmp_path_factory, rules):
    """70 good reports (generated: 24 units over three monthly cycles) plus one file of each broken kind."""
    root = tmp_path_factory.mktemp("parallel") / "inbox"
    generate(root, 70, seed=11, workers=1, rules=rules)
    good = sorted(root.rglob("*.xlsx"))
    (root / "hong").mkdir()
    for name, build, _, _ in BROKEN:
        (root / "hong" / name).write_bytes(build(good[0].read_bytes()))
    return root, good


@pytest.fixture(scope="module")
def batch(inbox, tmp_path_factory) -> list[Path]:
    root, good = inbox
    special = tmp_path_factory.mktemp("special")
    for name, build, _ in SPECIAL:
        build(special / name)
    return good + [root / "hong" / name for name, _, _, _ in BROKEN] + [special / name for name, _, _ in SPECIAL]


@pytest.fixture(scope="module")
def serial(batch, rules):
    return run(batch, rules, workers=1)


@pytest.fixture(scope="module")
def spawned(batch, rules):
    return run(batch, rules, workers=2, method="spawn")


@pytest.fixture(scope="module")
def crashed(batch, rules):
    return run(batch, rules, workers=2, method="spawn", faults=FAULTS)


def test_the_batch_is_read_by_worker_processes(batch, serial, spawned):
    """The batch is over the threshold from which worker processes read the files, in chunks of 16
    (serially, progress counts one file at a time); each file is counted once."""
    assert len(batch) == 81 >= PARALLEL_FROM
    assert serial[1] == [1] * 81
    assert sorted(spawned[1]) == [1] + [16] * 5


def test_the_issues_case_seventy_good_files_and_an_empty_one(inbox, rules):
    """check_many on 70 good files and one empty file (it used to crash the pool): 70 checked, the
    empty one rejected."""
    root, good = inbox
    report = check_many(good + [root / "hong" / "rong.xlsx"], rules, as_of=AS_OF)
    assert [f.status for f in report.files] == ["checked"] * 70 + ["rejected"]
    assert report.files[-1].reason == "tệp rỗng (0 byte)"


def test_seventy_good_files_and_broken_ones_exact_statuses(spawned, inbox):
    """The issue's case and more: 70 good files and the broken ones in one parallel batch; every
    good file is checked, each broken one rejected, none is lost."""
    report, _ = spawned
    statuses = collections.Counter(f.status for f in report.files)
    assert statuses == {"checked": 70, "rejected": len(BROKEN) + len(SPECIAL)}
    assert [f.name for f in report.files if f.status == "checked"] == [str(p) for p in inbox[1]]


@pytest.mark.parametrize("name, code, reason", [(n, c, r) for n, _, c, r in BROKEN] +
                         [(n, "not_regular", r) for n, _, r in SPECIAL])
def test_each_broken_file_is_rejected_with_its_reason(spawned, name, code, reason):
    """Each broken or special entry is rejected with its code and Vietnamese reason, in a parallel batch."""
    report, _ = spawned
    [result] = [f for f in report.files if Path(f.name).name == name]
    assert (result.status, result.reason) == ("rejected", reason)
    [finding] = report.for_file(result.name)
    assert (finding.rule_id, finding.code, finding.value) == ("DL-DOCTEP", code, reason)


@pytest.mark.parametrize("method", ["spawn", "forkserver", "fork"])
def test_every_start_method_gives_the_serial_report(serial, spawned, batch, rules, method):
    """Reading in worker processes, whatever their start method, gives exactly the in-process report."""
    report = spawned[0] if method == "spawn" else run(batch, rules, workers=2, method=method)[0]
    assert report.to_json() == serial[0].to_json()


def test_consolidate_the_inbox_of_seventy_and_broken_files(inbox, rules):
    """consolidate on the same inbox (76 files, read in parallel): every good report is used, each
    broken file rejected with its reason, and the counts reconcile."""
    root, good = inbox
    result = consolidate(root, None, rules, as_of=AS_OF)
    decisions = {result.validation.books[d.index].name: d for d in result.decisions}
    assert collections.Counter(d.status for d in decisions.values()) == {"used": 70, "rejected": len(BROKEN)}
    assert {name: d.reason for name, d in decisions.items() if d.status == "rejected"} == {
        f"hong/{name}": reason for name, _, _, reason in BROKEN}
    counts = result.counts
    assert counts["submissions"] == counts["used"] + counts["rejected"] == 76
    assert counts["rows_in"] == counts["rows_out"] > 0


# -- workers that die or fail on one file --------------------------------------------------------


@pytest.mark.parametrize("index", sorted(FAULTS))
def test_a_worker_dying_on_a_file_rejects_only_that_file(crashed, batch, index):
    """A worker killed by SIGABRT or SIGKILL, or ending with os._exit, while reading a file; a file
    whose reading raises; a file whose result cannot be sent back: each is rejected with the reason."""
    how, code, reason = FAULTS[index]
    report, _ = crashed
    [result] = [f for f in report.files if f.name == str(batch[index])]
    assert (result.status, result.reason) == ("rejected", reason)
    assert [(f.rule_id, f.code) for f in report.for_file(result.name)] == [("DL-DOCTEP", code)]


def test_every_other_file_is_as_in_a_clean_run(crashed, serial, batch):
    """The files that did not fail, including those of the chunks retried file by file, have exactly
    the results and findings of a clean run; nothing is lost or counted twice."""
    faulted = {str(batch[i]) for i in FAULTS}
    # DN-SAOCHEP compares across files: a copy whose other half was in a failed file is named
    # differently or gone. It is not a result of the file alone, so it is left out here.
    clean, hit = by_file(serial[0], leave_out="DN-SAOCHEP"), by_file(crashed[0], leave_out="DN-SAOCHEP")
    assert list(hit) == list(clean)
    assert {n: v for n, v in hit.items() if n not in faulted} == {n: v for n, v in clean.items() if n not in faulted}
    assert sum(crashed[1]) == 81


@pytest.mark.parametrize("index", sorted(FAULTS))
def test_a_failed_file_keeps_its_fingerprint(crashed, batch, index):
    """A file rejected because its reader died or failed is still listed with its real SHA-256."""
    import hashlib

    report, _ = crashed
    [result] = [f for f in report.files if f.name == str(batch[index])]
    assert result.sha256 == hashlib.sha256(batch[index].read_bytes()).hexdigest()


NO_FORK = r'''
import json, os, sys
del os.fork  # as on Windows
import multiprocessing, multiprocessing.context
for method in ("fork", "forkserver"):
    multiprocessing.context._concrete_contexts.pop(method, None)


def main():
    import datetime as dt
    from pathlib import Path
    from checker import load_rules
    from checker.validate.pipeline import read_paths, validate

    assert not hasattr(os, "fork")
    try:
        multiprocessing.get_context("fork")
    except ValueError:
        pass
    else:
        raise AssertionError("fork is still available")
    paths = [Path(p) for p in json.loads(sys.argv[1])]
    report = validate(read_paths(paths), load_rules(), as_of=dt.date.fromisoformat(sys.argv[2]), workers=2).report()
    print(report.to_json())


if __name__ == "__main__":
    main()
'''


def test_spawn_without_fork_in_a_fresh_interpreter(crashed, batch, tmp_path):
    """The real pipeline in a process where os.fork and the fork start methods do not exist (as on
    Windows), with a worker dying on one file: the same report as in this process."""
    script = tmp_path / "no_fork.py"
    script.write_text(NO_FORK, encoding="utf-8")
    spec = ",".join(f"{batch[i].name}:{how}" for i, (how, _, _) in FAULTS.items())
    env = {**os.environ, START_METHOD_ENV: "spawn", TEST_CRASH_ENV: spec, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(script), json.dumps([str(p) for p in batch]), AS_OF.isoformat()],
                          capture_output=True, text=True, encoding="utf-8", env=env, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == crashed[0].to_json()


GUARDLESS = r'''
import datetime as dt, json, logging, sys
from pathlib import Path
from checker import load_rules
from checker.validate.pipeline import read_paths, validate

# No `if __name__ == "__main__":` — under spawn, each worker imports this script again and dies
# as it tries to start processes of its own; the parent then reads the files itself.
logging.basicConfig(level=logging.WARNING)  # the library's warnings are logged, shown if a script asks
paths = [Path(p) for p in json.loads(sys.argv[1])]
print(validate(read_paths(paths), load_rules(), as_of=dt.date.fromisoformat(sys.argv[2]), workers=2).report().to_json())
'''


def test_a_script_without_main_guard_still_gets_its_report(serial, batch, tmp_path, rules):
    """When no worker process can start (a script without a main guard, under spawn), the files are
    read in the parent: the report is complete and a logged warning says why."""
    script = tmp_path / "guardless.py"
    script.write_text(GUARDLESS, encoding="utf-8")
    paths = batch[:PARALLEL_FROM]
    env = {**os.environ, START_METHOD_ENV: "spawn", "PYTHONPATH": str(ROOT)}
    env.pop(TEST_CRASH_ENV, None)
    done = subprocess.run([sys.executable, str(script), json.dumps([str(p) for p in paths]), AS_OF.isoformat()],
                          capture_output=True, text=True, encoding="utf-8", env=env, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "reading in this process: a worker process ended while starting" in done.stderr
    expected = validate(read_paths(paths), rules, as_of=AS_OF, workers=1).report()
    assert done.stdout.strip() == expected.to_json()


def test_workers_apply_the_rules_they_are_given(inbox, rules):
    """The RuleSet travels to the workers as it is (here with a 1,000-byte file limit, made with
    dataclasses.replace): workers do not reload the bundled rules."""
    import dataclasses

    small = dataclasses.replace(rules, limits=dataclasses.replace(rules.limits, max_file_bytes=1000))
    good = inbox[1][:PARALLEL_FROM]
    report, seen = run(good, small, workers=2, method="spawn")
    assert max(seen) > 1  # read by worker processes
    assert [f.reason for f in report.files] == [
        f"tệp quá lớn ({p.stat().st_size:,} byte, giới hạn 1,000 byte)" for p in good]


def test_email_attachments_cross_to_workers_as_bytes(inbox, rules):
    """Attachments (bytes, no path) are read by the workers exactly as in one process; an empty one
    is rejected."""
    _, good = inbox
    subs = [Submission(f"thu_{i:02d}.eml › {p.name}", p.read_bytes()) for i, p in enumerate(good)]
    subs.append(Submission("thu_rong.eml › rong.xlsx", b""))
    with environment(**{START_METHOD_ENV: "spawn"}):
        parallel = validate(subs, rules, as_of=AS_OF, workers=2).report()
    serial = validate(subs, rules, as_of=AS_OF, workers=1).report()
    assert parallel.to_json() == serial.to_json()
    assert [(f.name, f.reason) for f in parallel.files if f.status == "rejected"] == [
        ("thu_rong.eml › rong.xlsx", "tệp rỗng (0 byte)")]


# -- special files, one at a time ------------------------------------------------------------------


@pytest.mark.parametrize("name, build, reason", SPECIAL)
def test_special_entry_is_never_opened(tmp_path, rules, name, build, reason):
    """A FIFO, socket, device or folder given to check is rejected in this process, without opening it."""
    if name == "lien_ket_ong_dan.xlsx":
        hp.fifo(tmp_path / "ong_dan.xlsx")
    path = build(tmp_path / name)
    report = validate(read_paths([path]), rules, as_of=AS_OF).report()
    assert [(f.status, f.reason) for f in report.files] == [("rejected", reason)]


def test_content_of_a_fifo_is_refused(tmp_path):
    """Submission.content() (used again for annotated copies) never opens a FIFO."""
    sub = Submission("ong.xlsx", None, path=hp.fifo(tmp_path / "ong.xlsx"))
    with pytest.raises(NotRegular, match="is not a regular file: it is a FIFO") as raised:
        sub.content()
    assert raised.value.reason == "không phải tệp thông thường (ống dẫn FIFO): không đọc"


def test_a_link_to_a_regular_file_is_followed(tmp_path, inbox):
    """A link the person names is followed when it leads to a regular file."""
    link = tmp_path / "lien_ket.xlsx"
    link.symlink_to(inbox[1][0])
    with open_regular(link) as fh:
        assert fh.read() == inbox[1][0].read_bytes()


def test_check_command_on_a_fifo_ends(tmp_path):
    """`ntvt check` on a FIFO (it used to block forever) says it is not a regular file, exit 2."""
    path = hp.fifo(tmp_path / "ong_dan.xlsx")
    done = subprocess.run([sys.executable, "-m", "checker", "check", str(path), "--json", "--as-of", "2023-05-31"],
                          capture_output=True, text=True, encoding="utf-8", timeout=300, cwd=ROOT)
    assert done.returncode == 2, done.stderr
    [result] = json.loads(done.stdout)["files"]
    assert (result["status"], result["reason"]) == ("rejected", "không phải tệp thông thường (ống dẫn FIFO): không đọc")


# -- the worker pool on its own --------------------------------------------------------------------

# job -> outcome; negative jobs fail (tests/builders/hostile_parallel.py: double_or_fail)
POOL_OUTCOMES = {
    1: 2,
    -1: Died(-signal.SIGABRT),
    2: 4,
    -2: Died(3),
    3: 6,
    -3: Failed("ValueError: job -3 always fails"),
    4: 8,
    -5: Failed("result not rebuilt in the parent: TypeError: rebuilt from the wrong arguments"),
    -6: Died(-signal.SIGABRT, "reading 8"),  # the last note it sent names what it was doing
    5: 10,
}


@pytest.fixture(scope="module")
def pool_outcomes():
    with WorkerPool(hp.double_or_fail, 2, method="spawn") as pool:
        outcomes = dict(pool.run((job, job) for job in [*POOL_OUTCOMES, -4]))
    return outcomes


@pytest.mark.parametrize("job", list(POOL_OUTCOMES))
def test_pool_outcome_of_each_job(pool_outcomes, job):
    """Every job has its outcome: its result, Died with the exit code, or Failed with the error;
    deaths and failures cost no other job."""
    assert pool_outcomes[job] == POOL_OUTCOMES[job]


def test_pool_result_that_does_not_pickle_is_a_failure(pool_outcomes):
    """A result the worker cannot send back is that job's failure."""
    outcome = pool_outcomes[-4]
    assert isinstance(outcome, Failed) and "pickle" in outcome.error.lower()


def test_pool_whose_workers_cannot_start():
    """If no worker can start at all, the pool says so (the caller then reads in its own process)."""
    with WorkerPool(hp.DiesWhenUnpickled(), 2, method="spawn") as pool, pytest.raises(WorkersUnavailable):
        list(pool.run((job, job) for job in range(4)))


def test_pool_reuses_its_workers():
    """Successive runs share the pool's worker processes: one run's workers serve the next."""
    with WorkerPool(hp.double, 1, method="spawn") as pool:
        assert dict(pool.run((k, k) for k in range(3))) == {0: 0, 1: 2, 2: 4}
        [worker] = pool.idle
        assert dict(pool.run([(9, 9)])) == {9: 18}
        assert list(pool.idle) == [worker]


@pytest.mark.parametrize("value, expected", [(None, "spawn"), ("spawn", "spawn"), ("forkserver", "forkserver")])
def test_start_method(value, expected):
    """Spawn unless forced by NTVT_START_METHOD."""
    with environment(**{START_METHOD_ENV: value}):
        assert start_method() == expected


def test_unknown_start_method_is_refused():
    with environment(**{START_METHOD_ENV: "thread"}), pytest.raises(ValueError, match="NTVT_START_METHOD='thread'"):
        start_method()


def test_checker_never_asks_for_fork():
    """No module of checker/ needs fork (Windows and macOS have none)."""
    hits = [(p.name, line) for p in (ROOT / "checker").glob("*.py")
            for line in p.read_text(encoding="utf-8").splitlines()
            if 'get_context("fork")' in line or "get_context('fork')" in line or "os.fork" in line]
    assert hits == []
