"""`ntvt serve` as it runs, for the browser tests: the real app under uvicorn, in a thread, on a free
loopback port, over a fresh workspace; the page's clock fixed by the test."""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import uvicorn

from checker.ruleset.spec import RuleSet
from checker.web import prepare


@contextlib.contextmanager
def serving(root: Path, rules: RuleSet, clock: Callable[[], dt.datetime]) -> Iterator[str]:
    """Serve the workspace at `root` until the block ends; yields the base URL."""
    server = prepare(root, rules, host="127.0.0.1", port=0, password_file=None)
    server.app.state.site.clock = clock
    config = uvicorn.Config(server.app, workers=1, reload=False, log_level="warning", proxy_headers=False,
                            server_header=False, lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, kwargs={"sockets": [server.sock]}, name="ntvt-serve", daemon=True)
    thread.start()
    for _ in range(100):
        if running.started:
            break
        time.sleep(0.05)
    assert running.started
    try:
        yield f"http://127.0.0.1:{server.sock.getsockname()[1]}"
    finally:
        running.should_exit = True
        thread.join(10)
