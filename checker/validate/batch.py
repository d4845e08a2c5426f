"""Read a batch of submissions into books and frames: each file once, guarded, in worker processes
from PARALLEL_FROM files on (both cores; a native crash costs one file, not the run).

The worker side (`_read_in_worker`) and the test-only fault injection live here too: a worker
process imports this module by name under spawn.
"""

from __future__ import annotations

import hashlib
import logging
import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

from ..process.memory import release_free_memory
from ..process.workers import Died, WorkerPool, WorkersUnavailable
from ..read.regular import NotRegular, open_regular
from ..read.safety import Rejected, size_verdict
from ..read.submission import InputChanged, Submission
from ..read.workbook import WorkbookData, read_workbook
from ..ruleset.spec import RuleSet
from .frames import Frames, Receipt, build_frames, concat_frames

log = logging.getLogger(__name__)

Progress = Callable[[int], None]  # "n more inputs read"


def read_safely(sub: Submission, rules: RuleSet) -> WorkbookData:
    """read_workbook, with a last guard: whatever a damaged file makes a parser raise, the batch goes on
    and the file is listed as unreadable (the exception type is kept in the reason for diagnosis).
    Only regular files are opened: a FIFO would block forever, a device never end."""
    digest = sub.sha256  # the listed file's, when it was listed
    refused, data = None, b""
    try:
        if sub.data is not None:
            data = sub.data
        else:
            with open_regular(sub.path) as fh:
                # A file far over the size limit is rejected without being read into memory.
                refused = size_verdict(os.fstat(fh.fileno()).st_size, rules.limits)
                if refused is not None:
                    digest = digest or _stream_sha256(fh)
                else:  # bounded, should it have grown since: then it fails the digest or the size check
                    data = sub.verified(fh.read(rules.limits.max_file_bytes + 1))
    except NotRegular as exc:
        refused = Rejected("not_regular", exc.reason)
    except OSError as exc:  # gone or unreadable since the inbox was listed
        refused = Rejected("unreadable", f"không mở được tệp ({type(exc).__name__})")
    except InputChanged:
        refused = Rejected("changed", "tệp bị sửa trong lúc đang tổng hợp: hãy chạy lại")
    if refused is not None:
        return _rejected_book(sub.name, digest or hashlib.sha256(data).hexdigest(), refused)
    try:
        return read_workbook(sub.name, data, rules, sha256=sub.sha256)  # verified() checked the digest
    except Exception as exc:
        return _rejected_book(sub.name, hashlib.sha256(data).hexdigest(),
                              Rejected("corrupt", f"tệp hỏng, không đọc được ({type(exc).__name__})"))


def _rejected_book(name: str, sha256: str, verdict: Rejected) -> WorkbookData:
    book = WorkbookData(name=name, sha256=sha256)
    book.rejected = verdict
    return book


def _stream_sha256(fh: BinaryIO) -> str:
    digest = hashlib.sha256()
    while block := fh.read(1 << 20):
        digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# Reading a batch: in this process, or on both cores in worker processes


# From this many files on, worker processes read them: both cores, and a native crash costs one file,
# not the run. Starting two spawned workers costs ~1.3 s (their imports); measured on a shared
# 2-core machine, reading in workers overtakes reading here between 300 and 500 files. Below
# that, the isolation is worth the second or two it costs.
PARALLEL_FROM = 64
MAX_WORKERS = 2  # the office's machines and the city's server have two cores
# At most this many files per chunk: a worker holds a chunk's cells while it builds the frames.
# Measured at 2,000 files: 250 → 150 MiB per worker, 100 → 125 MiB, 50 → 118 MiB.
CHUNK_FILES = 100

CRASHED = Rejected("reader_crashed", "chương trình đọc bị dừng đột ngột khi mở tệp này (tệp quá phức tạp hoặc "
                                     "hỏng): hãy kiểm tra lại tệp, lưu lại bằng Excel rồi gửi lại")

# The books and frames of consecutive inputs: of a chunk, or of one file.
Part = tuple[list[WorkbookData], Frames]
Note = Callable[[int | None], None]  # a worker's "reading input i now" (None: building the frames)


@dataclass(frozen=True)
class _Job:
    """Consecutive inputs for a worker process: everything it needs, as small picklable arguments
    (a listed file travels as its path and SHA-256, an email attachment as its bytes)."""

    subs: list[Submission]
    rules: RuleSet
    # input index -> its receipt, standing in for an unreadable "Ngày gửi" (build_frames indexes it so)
    receipts: dict[int, Receipt | None]
    first: int  # index of subs[0] among all inputs


def _job(subs: list[Submission], rules: RuleSet, receipts: list[Receipt | None], lo: int, hi: int) -> _Job:
    return _Job(subs[lo:hi], rules, {i: receipts[i] for i in range(lo, hi)}, lo)


def read_and_frame(subs: list[Submission], rules: RuleSet, receipts: list[Receipt | None],
                   progress: Progress | None = None, workers: int | None = None) -> tuple[list[WorkbookData], Frames]:
    """Read every submission once and build the frames, on `workers` cores (default: up to 2).

    From PARALLEL_FROM files on, files are read in chunks by worker processes, each returning its
    chunk's frames (few large objects crossing processes, not one per file: measured, per-file
    results make the parent the bottleneck). No file is parsed in the parent then: a native crash
    there (calamine aborting on a failed allocation) would end the whole run, while a worker that
    dies costs only the file it was reading. That costs one process more: measured at 2,000 files,
    the process tree peaks at 487–519 MiB, against 371 MiB when the parent reads chunks too; but a
    crash that loses the whole monthly run is worse. Below PARALLEL_FROM, or with workers=1, or where
    no worker process can start, everything is read here.

    Under spawn (the default, and Windows' only start method) worker processes import the main
    module again: a script calling this must guard its work with `if __name__ == "__main__":`.
    Without the guard the workers cannot start and the files are read here, with a warning.
    """
    workers = workers if workers is not None else min(MAX_WORKERS, os.cpu_count() or 1)
    parts = None
    if workers > 1 and len(subs) >= PARALLEL_FROM:
        try:
            parts = _read_in_workers(subs, rules, receipts, workers, progress)
        except WorkersUnavailable as exc:  # slower, and a native crash would end the run; but it runs
            log.warning("reading in this process: %s", exc)
    if parts is None:
        parts = _read_guarded(_job(subs, rules, receipts, 0, len(subs)), progress)
    books = [book for chunk, _ in parts for book in chunk]
    if len(parts) > 1:
        # Parts without a row (all their files rejected) add nothing but joining cost (measured:
        # 5,000 junk files in 50 chunks took 2.4 s to join, column by column).
        kept = [frames for _, frames in parts if not _no_rows(frames)] or [parts[0][1]]
        frames = concat_frames(kept, books)
    else:
        frames = parts[0][1]
    del parts  # the chunks' frames, now joined
    release_free_memory()
    return books, frames


def _no_rows(frames: Frames) -> bool:
    return frames.files.empty and all(table.empty for table in frames.tables.values())


def _read_in_workers(subs: list[Submission], rules: RuleSet, receipts: list[Receipt | None], workers: int,
                     progress: Progress | None) -> list[Part]:
    """Read chunks in worker processes. A worker that dies reading a file costs that file (rejected
    as CRASHED) and a new process; the rest of its chunk is read again. Where the culprit is not
    known (a death while building frames, a failure), each file of the chunk is read alone."""
    size = max(16, min(CHUNK_FILES, len(subs) // (workers * 4)))
    todo = [(lo, min(lo + size, len(subs))) for lo in range(0, len(subs), size)]
    parts: dict[tuple[int, int], list[Part]] = {}  # (first, end) input index -> parts, in input order

    def reject(i: int, verdict: Rejected) -> None:
        parts[i, i + 1] = [_rejected_part(_job(subs, rules, receipts, i, i + 1), verdict)]
        if progress:
            progress(1)

    with WorkerPool(_read_in_worker, workers) as pool:
        while todo:
            spans, todo = todo, []
            for (lo, hi), outcome in pool.run((span, _job(subs, rules, receipts, *span)) for span in spans):
                if isinstance(outcome, list):
                    parts[lo, hi] = outcome
                    if progress:
                        progress(hi - lo)
                    continue
                log.warning("reading inputs %d-%d: %s", lo, hi - 1, outcome)  # a bug to report, with its file
                if hi - lo == 1:  # read alone: it is the cause
                    reject(lo, CRASHED if isinstance(outcome, Died) else _reader_error(outcome.error))
                elif isinstance(outcome, Died) and outcome.note is not None:  # died reading that file
                    reject(outcome.note, CRASHED)
                    todo += [span for span in ((lo, outcome.note), (outcome.note + 1, hi)) if span[0] < span[1]]
                else:
                    todo += [(i, i + 1) for i in range(lo, hi)]
    return [part for span in sorted(parts) for part in parts[span]]


def _read_in_worker(job: _Job, note: Note) -> list[Part]:
    """What a worker process runs for one chunk (module-level: spawn pickles it by name)."""
    parts = _read_guarded(job, note=note, faults=_test_faults())
    release_free_memory()  # the chunk's transients, before the worker waits for the next one
    return parts


def _read_guarded(job: _Job, progress: Progress | None = None, note: Note | None = None,
                  faults: dict[str, str] | None = None) -> list[Part]:
    """_read_part, never raising: if building the chunk raises (a file whose content trips a bug),
    each file is built alone and the one that raises is rejected; the others are read as usual."""
    try:
        return [_read_part(job, progress, note, faults)]
    except Exception:
        parts = []
        for k, sub in enumerate(job.subs):
            i = job.first + k
            one = _Job([sub], job.rules, {i: job.receipts[i]}, i)
            try:
                parts.append(_read_part(one, note=note, faults=faults))
            except Exception as exc:
                parts.append(_rejected_part(one, _reader_error(type(exc).__name__)))
        return parts


def _read_part(job: _Job, progress: Progress | None = None, note: Note | None = None,
               faults: dict[str, str] | None = None) -> Part:
    books = []
    for k, sub in enumerate(job.subs):
        if note:
            note(job.first + k)
        book = read_safely(sub, job.rules)
        if faults:
            _inject_test_fault(faults, sub, book)
        books.append(book)
        if progress:
            progress(1)
    if note:
        note(None)
    frames = build_frames(books, job.rules, job.receipts, first=job.first)
    return _lighten(books), frames


def _lighten(books: list[WorkbookData]) -> list[WorkbookData]:
    """Drop the raw cell lists once the frames hold the values: they are the bulk of a book."""
    for book in books:
        for table in book.tables.values():
            table.values = {}
    return books


def _reader_error(error: str) -> Rejected:
    """A file whose reading raised where nothing should (`error`: the exception type first)."""
    return Rejected("reader_error", f"lỗi khi xử lý nội dung tệp ({error.split(':', 1)[0]}): hãy kiểm tra lại "
                                    "tệp, lưu lại bằng Excel rồi gửi lại")


def _rejected_part(one: _Job, verdict: Rejected) -> Part:
    """The single input of `one` as a rejected file, without parsing it."""
    sub = one.subs[0]
    book = _rejected_book(sub.name, _known_sha256(sub), verdict)
    return [book], build_frames([book], one.rules, one.receipts, first=one.first)


def _known_sha256(sub: Submission) -> str:
    """The input's digest without parsing it (the file is only hashed, and only if regular)."""
    if sub.sha256 is not None:
        return sub.sha256
    if sub.data is not None:
        return hashlib.sha256(sub.data).hexdigest()
    try:
        with open_regular(sub.path) as fh:
            return _stream_sha256(fh)
    except OSError:
        return hashlib.sha256(b"").hexdigest()


# Test-only fault injection, for tests/validate/test_batch.py. NTVT_TEST_CRASH_ON="name[:how],…" makes a
# worker process fail right after it reads the input whose last path component is `name`; how =
# abort (the default: SIGABRT, as when calamine fails an allocation), exit (os._exit), kill
# (SIGKILL where it exists), raise (a Python exception), unpicklable (a result that cannot be sent
# back), abort_late (SIGABRT once the whole chunk is read, while its result is sent). Read only in
# worker processes, never in the parent, which therefore never faults.
TEST_CRASH_ENV = "NTVT_TEST_CRASH_ON"


def _test_faults() -> dict[str, str]:
    spec = os.environ.get(TEST_CRASH_ENV, "")
    return dict(item.partition(":")[::2] for item in spec.split(",") if item)


def _inject_test_fault(faults: dict[str, str], sub: Submission, book: WorkbookData) -> None:
    how = faults.get(Path(sub.name).name)
    if how in ("", "abort"):
        os.abort()
    elif how == "exit":
        os._exit(70)
    elif how == "kill":
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
    elif how == "raise":
        raise RuntimeError(f"test fault on {sub.name}")
    elif how == "unpicklable":
        book.test_fault = _Unpicklable()  # travels in the chunk's result, which then cannot be sent
    elif how == "abort_late":
        book.test_fault = _AbortWhenPickled()  # dies once the chunk is read, while sending it


class _Unpicklable:
    def __reduce__(self):
        raise TypeError("test fault: this object cannot be pickled")


class _AbortWhenPickled:
    def __reduce__(self):
        os.abort()
