"""The consolidation worker: one job at a time, its progress, and a failure said in words."""

from __future__ import annotations

import threading

from checker.web.jobs import DONE, FAILED, IDLE, RUNNING, Worker


def test_a_second_start_is_refused_while_one_runs():
    """start() returns False while a job runs, and the running job's state is unchanged."""
    release = threading.Event()

    def work(progress):
        progress(2)
        release.wait(10)
        return "tong_hop.xlsx"

    worker = Worker(lambda exc: "hỏng")
    assert worker.state.state == IDLE
    assert worker.start(work, total=5, as_of="25/06/2023")
    assert not worker.start(lambda progress: "khac.xlsx", total=1, as_of="26/06/2023")
    state = worker.state
    assert (state.state, state.total, state.as_of) == (RUNNING, 5, "25/06/2023")
    release.set()
    worker.join(10)
    assert worker.state.as_dict() == {"state": DONE, "kind": "consolidation", "done": 5, "total": 5, "as_of": "25/06/2023", "message": "",
                                      "output": "tong_hop.xlsx"}
    assert worker.start(lambda progress: "lan_hai.xlsx", total=0, as_of="26/06/2023")
    worker.join(10)
    assert worker.state.output == "lan_hai.xlsx"


def test_many_concurrent_starts_run_one_job():
    """Eight threads start at once: exactly one job runs."""
    release, started = threading.Event(), []
    worker = Worker(lambda exc: "")
    barrier = threading.Barrier(8)

    def work(progress):
        release.wait(10)
        return ""

    def attempt():
        barrier.wait(10)
        started.append(worker.start(work, total=1, as_of=""))

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    release.set()
    worker.join(10)
    assert sorted(started) == [False] * 7 + [True]


def test_a_failure_is_kept_in_words():
    """A job that raises ends FAILED with the words describe_failure gives, not the exception."""
    def work(progress):
        raise PermissionError(13, "Permission denied", "tong_hop.xlsx")

    worker = Worker(lambda exc: f"không ghi được {exc.filename}")
    worker.start(work, total=3, as_of="25/06/2023")
    worker.join(10)
    assert (worker.state.state, worker.state.message) == (FAILED, "không ghi được tong_hop.xlsx")
