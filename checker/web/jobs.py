"""The one consolidation worker: a thread (no fork, Windows first) that runs one job at a time,
with its progress, so the page stays responsive and the job cannot be started twice."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable

log = logging.getLogger(__name__)

IDLE, RUNNING, DONE, FAILED = "idle", "running", "done", "failed"


@dataclass
class JobState:
    """What the progress page shows: the state, files read of how many, the result's words."""

    state: str = IDLE
    kind: str = "consolidation"  # or "fetch": what the one worker runs
    done: int = 0
    total: int = 0
    as_of: str = ""  # dd/mm/yyyy of the running or last job
    message: str = ""  # Vietnamese: why it failed
    output: str = ""  # the written workbook's name, once done

    def as_dict(self) -> dict:
        return {"state": self.state, "kind": self.kind, "done": self.done, "total": self.total, "as_of": self.as_of,
                "message": self.message, "output": self.output}


class Worker:
    """Runs `work(progress)` in a thread; start() refuses while one runs (returns False)."""

    def __init__(self, describe_failure: Callable[[BaseException], str]):
        self._lock = threading.Lock()
        self._state = JobState()
        self._thread: threading.Thread | None = None
        self._describe = describe_failure

    @property
    def state(self) -> JobState:
        with self._lock:
            return JobState(**self._state.as_dict())

    def start(self, work: Callable[[Callable[[int], None]], str], *, total: int, as_of: str,
              kind: str = "consolidation") -> bool:
        """Start `work` unless a job runs; `work` returns the output's name and gets a callback
        `progress(n)` for "n more files read"."""
        with self._lock:
            if self._state.state == RUNNING:
                return False
            self._state = JobState(state=RUNNING, kind=kind, total=total, as_of=as_of)
            self._thread = threading.Thread(target=self._run, args=(work,), name="ntvt-consolidation", daemon=True)
            self._thread.start()
        return True

    def join(self, timeout: float | None = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _progress(self, n: int) -> None:
        with self._lock:
            self._state.done += n

    def _run(self, work) -> None:
        try:
            output = work(self._progress)
        except BaseException as exc:  # noqa: BLE001  the thread must end in a state the page can show
            log.exception("%s failed", self._state.kind)
            message = self._describe(exc)
            with self._lock:
                self._state.state, self._state.message = FAILED, message
            return
        with self._lock:
            self._state.state, self._state.output = DONE, output
            self._state.done = max(self._state.done, self._state.total)
