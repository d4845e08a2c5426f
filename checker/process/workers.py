"""Run jobs in worker processes that may die: a death costs only the job the dying process was running.

`concurrent.futures.ProcessPoolExecutor` cannot give that: when one of its processes dies (a native
crash in a parser, SIGKILL from the out-of-memory killer, `os._exit`) the whole pool is "broken" and
every job in flight or queued fails with it; and a result or exception that does not unpickle in
the parent breaks it too. Here each worker has its own pipe and runs one job at a time, so the
parent always knows which job a dead process held, starts a replacement and goes on. A job may
send notes while it runs (`note(value)`, e.g. "now reading file 17"): a death reports the last one.
A job's outcome is its result, `Failed` (it raised, or its result did not cross the pipe) or `Died`.

Workers are started with the start method `start_method()` names; they receive everything as
pickled arguments and inherit nothing (Windows and macOS have no fork).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Iterable, Iterator

START_METHOD_ENV = "NTVT_START_METHOD"  # forces a start method ("spawn", "forkserver"…), for tests

# "spawn" everywhere, although Linux and macOS also offer "forkserver" (and "fork"). Measured on a
# shared 2-core machine, validating 2,000 generated files, two runs each: forkserver is neither
# faster nor smaller (35–43 s, peak process tree 488–532 MiB; spawn 40 s, 487–519 MiB): a spawned
# worker's imports (~1.3 s) are paid once per run, and the fork server itself stays alive. And
# spawn is the only method Windows has, where the office works: developers and CI then run the
# parallel path exactly as the office does.
DEFAULT_START_METHOD = "spawn"

# Messages from a worker: (kind, value)
_READY, _NOTE, _DONE, _FAILED = "ready", "note", "done", "failed"


def start_method() -> str:
    """The start method for worker processes: NTVT_START_METHOD if set, else DEFAULT_START_METHOD."""
    forced = os.environ.get(START_METHOD_ENV)
    if not forced:
        return DEFAULT_START_METHOD
    if forced not in multiprocessing.get_all_start_methods():
        raise ValueError(f"{START_METHOD_ENV}={forced!r}: this platform offers "
                         f"{', '.join(multiprocessing.get_all_start_methods())}")
    return forced


@dataclass(frozen=True)
class Failed:
    """The job raised in the worker, or its result could not be sent or rebuilt in the parent."""

    error: str  # "ExceptionType: message", English, for the log


@dataclass(frozen=True)
class Died:
    """The worker process ended while running the job (a signal, os._exit, the OOM killer…)."""

    exitcode: int | None  # negative: killed by that signal number
    note: Any = None  # the last note the job sent, if any


class WorkersUnavailable(RuntimeError):
    """No worker process could start (e.g. under spawn, a script that starts work at import time,
    without `if __name__ == "__main__":`, makes every worker fail while it starts)."""


def _serve(conn: multiprocessing.connection.Connection, fn: Callable[[Any, Callable[[Any], None]], Any]) -> None:
    """A worker's loop: run fn(job, note) on each job received and send its outcome back."""
    # Ctrl-C reaches every process of the console: the parent handles it and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn.send((_READY, None))  # from now on, a death is the job's, not the start's

    def note(value: Any) -> None:
        conn.send((_NOTE, value))

    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            return
        if job is None:
            # Exit at once, as fork's and forkserver's children do: a spawned interpreter's orderly
            # shutdown (pandas, pyarrow…) takes 0.7 s that the parent would wait for.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        try:
            conn.send((_DONE, fn(job, note)))  # pickles first: a result that does not pickle raises here
        except Exception as exc:
            conn.send((_FAILED, f"{type(exc).__name__}: {str(exc)[:500]}"))


class _Worker:
    def __init__(self, ctx, fn: Callable):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, fn), name="ntvt-worker", daemon=True)
        self.process.start()
        child.close()  # the parent's copy: so a dead worker's pipe reads as closed
        self.ready = False  # it said it started
        self.key: Hashable | None = None  # the job it is running
        self.note: Any = None  # that job's last note

    def send(self, key: Hashable, job: Any) -> None:
        self.key, self.note = key, None
        self.conn.send(job)

    def receive(self) -> Any:
        """Read what the worker sent; return the job's outcome, or None while it is still running."""
        while True:
            try:
                if not self.conn.poll():  # True for a message, and for the pipe of a worker that died
                    break
                kind, value = self.conn.recv()
            except (EOFError, OSError):  # (Windows: polling a broken pipe raises)
                return self.died()
            except Exception as exc:  # the message arrived whole but does not unpickle here
                return Failed(f"result not rebuilt in the parent: {type(exc).__name__}: {exc}")
            if kind == _READY:
                self.ready = True
            elif kind == _NOTE:
                self.note = value
            else:
                return value if kind == _DONE else Failed(value)
        return self.died() if not self.process.is_alive() else None

    def died(self) -> Died:
        self.process.join()
        self.conn.close()
        return Died(self.process.exitcode, self.note)

    def stop(self, timeout: float) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout)
        self.conn.close()


class WorkerPool:
    """Up to `size` worker processes running fn(job, note) (a module-level function, or any object
    that pickles: it is sent to each worker).

    Used as a context manager; workers are started when there is a job for them, and a worker that
    dies is replaced when the next job needs it."""

    def __init__(self, fn: Callable[[Any, Callable[[Any], None]], Any], size: int, method: str | None = None):
        self.fn, self.size = fn, max(1, size)
        self.ctx = multiprocessing.get_context(method or start_method())
        self.idle: deque[_Worker] = deque()
        self.started = False  # a worker has started: a later death is a job's, not the pool's

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info) -> None:
        # After an error or Ctrl-C, do not wait for workers that may be mid-job.
        timeout = 5 if exc_info[0] is None else 0.1
        while self.idle:
            self.idle.popleft().stop(timeout)

    def run(self, jobs: Iterable[tuple[Hashable, Any]]) -> Iterator[tuple[Hashable, Any]]:
        """Yield (key, outcome) for every (key, job), in completion order; outcome is fn's result,
        Failed or Died. A job is taken from `jobs` (and pickled) only when a worker is free for it,
        and a worker holds one job at a time, so a death names its job."""
        todo = iter(jobs)
        busy: list[_Worker] = []
        try:
            while True:
                while len(busy) < self.size and (item := next(todo, None)) is not None:
                    busy.append(self._dispatch(*item))
                if not busy:
                    return
                ready = multiprocessing.connection.wait([w.conn for w in busy] + [w.process.sentinel for w in busy])
                for worker in [w for w in busy if w.conn in ready or w.process.sentinel in ready]:
                    outcome = worker.receive()
                    self.started |= worker.ready
                    if outcome is None:
                        continue  # a note, or it said it started
                    busy.remove(worker)
                    if isinstance(outcome, Died) and not self.started:
                        raise WorkersUnavailable(f"a worker process ended while starting (exit code {outcome.exitcode})")
                    if not isinstance(outcome, Died):
                        self.idle.append(worker)
                    yield worker.key, outcome
        finally:
            self.idle.extend(w for w in busy if w.process.is_alive())  # stopped on exit

    def _dispatch(self, key: Hashable, job: Any) -> _Worker:
        try:
            worker = self.idle.popleft() if self.idle else _Worker(self.ctx, self.fn)
        except OSError as exc:  # no process can be made here (process limit, memory…)
            raise WorkersUnavailable(f"cannot start a worker process: {type(exc).__name__}: {exc}") from exc
        try:
            worker.send(key, job)
        except OSError:  # it died while idle (killed from outside): a fresh one takes the job
            worker.died()
            worker = _Worker(self.ctx, self.fn)
            worker.send(key, job)
        return worker
