"""Hand freed heap memory back to the operating system between the big phases of a run.

CPython frees a city's transient objects (a worker chunk's pickled frames, the pieces joined into
one frame, pandera's failure tables) into the C heap, and glibc keeps most of those pages in the
process: measured at 10,000 files, the resident size after reading stayed 120 MB above what was
still in use, and every later phase started from there. `malloc_trim(0)` returns them. It is a
glibc function; elsewhere (musl, macOS, Windows) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.lru_cache(maxsize=1)
def _trim():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return getattr(libc, "malloc_trim", None) if libc is not None else None


def release_free_memory() -> None:
    """Return the C heap's free pages to the OS, where the C library can (glibc)."""
    trim = _trim()
    if trim is not None:
        trim(0)
