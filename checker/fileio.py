"""Safe output files: written to a temporary file beside the target, then renamed into place."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from .errors import OutputError


def refuse_overwrite(target: Path, inputs: Iterable[Path]) -> None:
    """Raise OutputError if target is (or is inside) one of the inputs: never write over an input."""
    target = Path(target).resolve()
    for given in inputs:
        given = Path(given).resolve()
        if target == given or (given.is_dir() and given in target.parents):
            raise OutputError(f"refusing to write {target}: it is an input or inside the input folder {given}")


def file_sha256(path: Path) -> str:
    """A file's SHA-256, read in blocks: a file's bytes need not be held to be fingerprinted."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_output(target: Path, inputs: Iterable[Path] = ()) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces target atomically.

    An interrupted run (exception, kill) leaves any earlier file at target intact.
    """
    target = Path(target)
    refuse_overwrite(target, inputs)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix + ".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp makes the file private (0600); an output is a document to share, like any other file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
