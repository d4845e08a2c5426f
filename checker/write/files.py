"""Safe output files: written in a private scratch folder beside the target, then renamed into place.

Everything a write needs on disk goes in that folder (the temporary output, xlsxwriter's temporary
files, the splice copy), so it is on the target's disk and is removed as one whole, whatever
happened. A run killed before it could clean up leaves the folder; the next write of the same
target removes it. Any OSError while writing becomes an OutputError whose Vietnamese message says
what to do (close the file in Excel, choose another folder, free disk space).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from ..model.errors import OutputError

SCRATCH_MARK = ".ntvt-tmp-"  # scratch folders are named ".<stem>.ntvt-tmp-<random>"
# A target name may use the 255 characters a file system allows: the scratch folder's name keeps
# only the head of the stem, and the file inside has a short name (the splice copy adds a suffix).
SCRATCH_STEM = 80

# What a person can do about each OSError of a write. Windows reports a file open in Excel as
# EACCES (a sharing violation); so does a folder without write permission.
_LOCKED = "tệp đang mở trong chương trình khác (như Excel) hoặc không có quyền ghi: đóng tệp trong Excel rồi chạy lại, hoặc chọn thư mục khác"
_FULL = "ổ đĩa đầy: giải phóng dung lượng ổ đĩa hoặc chọn ổ đĩa khác rồi chạy lại"
_OS_WORDS = {
    errno.EACCES: _LOCKED,
    errno.EPERM: _LOCKED,
    errno.EBUSY: _LOCKED,
    errno.EROFS: "ổ đĩa hoặc thư mục chỉ cho phép đọc: chọn thư mục khác",
    errno.ENOSPC: _FULL,
    errno.EFBIG: _FULL,
    errno.EISDIR: "đã có một thư mục mang tên này: chọn tên tệp khác",
    errno.ENOTDIR: "một phần của đường dẫn là tệp chứ không phải thư mục: chọn thư mục khác",
    errno.EEXIST: "một phần của đường dẫn là tệp chứ không phải thư mục: chọn thư mục khác",
    errno.ENAMETOOLONG: "tên tệp hoặc đường dẫn quá dài: chọn tên ngắn hơn hoặc thư mục gần gốc ổ đĩa hơn",
    errno.ENOENT: "thư mục không còn tồn tại (bị xóa hoặc ổ đĩa bị rút ra): kiểm tra đường dẫn rồi chạy lại",
    errno.EINVAL: "tên tệp không hợp lệ trên máy này: chọn tên khác",
    errno.EIO: "lỗi đọc ghi ổ đĩa: kiểm tra ổ đĩa hoặc chọn thư mục khác",
}
if hasattr(errno, "EDQUOT"):  # not on Windows
    _OS_WORDS[errno.EDQUOT] = _FULL
# The folder exists but takes no new file: no permission, read-only, or a system folder (Linux's
# /proc answers ENOENT to a new file in it). Said whenever the target's folder is there and the
# target is not, so a file that cannot be open in Excel is not blamed on Excel.
_FOLDER_CLOSED = ("thư mục {folder} có nhưng không cho tạo tệp trong đó (không có quyền ghi, thư mục chỉ cho phép đọc "
                  "hoặc thư mục của hệ thống): chọn thư mục khác, ví dụ trong Documents")
_FOLDER_ERRORS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT}


def os_error_words(exc: OSError, target: Path | None = None) -> str:
    """What an OSError of a write means for the person, and what to do, in Vietnamese. With the
    `target`, a folder that exists but takes no new file is told apart from a missing folder or a
    file open in Excel."""
    if target is not None and exc.errno in _FOLDER_ERRORS and _folder_takes_no_file(Path(target)):
        return _FOLDER_CLOSED.format(folder=Path(target).parent)
    words = _OS_WORDS.get(exc.errno)
    if words is None:
        code = errno.errorcode.get(exc.errno, exc.errno)
        words = f"lỗi hệ thống tệp (mã {code}): kiểm tra thư mục và ổ đĩa rồi chạy lại"
    return words


def _folder_takes_no_file(target: Path) -> bool:
    try:
        return target.parent.is_dir() and not target.exists()
    except OSError:
        return False


def output_error(target: Path, exc: OSError) -> OutputError:
    """The OutputError for an OSError met while writing target: Vietnamese message, English detail."""
    return OutputError(f"cannot write {target}: {type(exc).__name__}: {exc}",
                       message=f"Không ghi được kết quả vào {target}: {os_error_words(exc, target)}.")


def refuse_overwrite(target: Path, inputs: Iterable[Path]) -> None:
    """Raise OutputError if target is (or is inside) one of the inputs: never write over an input."""
    target = Path(target).resolve()
    for given in inputs:
        given = Path(given).resolve()
        if target == given or (given.is_dir() and given in target.parents):
            raise OutputError(f"refusing to write {target}: it is an input or inside the input folder {given}",
                              message=f"Không ghi được kết quả vào {target}: đó là tệp đầu vào hoặc nằm trong "
                                      f"thư mục đầu vào {given}; hãy chọn nơi ghi khác.")


def file_sha256(path: Path) -> str:
    """A file's SHA-256, read in blocks: a file's bytes need not be held to be fingerprinted."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_output(target: Path, inputs: Iterable[Path] = ()) -> Iterator[Path]:
    """Yield a temporary path to write, in a private scratch folder beside target; on success it
    replaces target atomically. The scratch folder is removed in every case.

    An interrupted run (exception, kill) leaves any earlier file at target intact. Write other
    temporary files next to the yielded path (xlsxwriter's `tmpdir` = its parent), not elsewhere.
    """
    target = Path(target)
    refuse_overwrite(target, inputs)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_scratch(target)
        scratch = Path(tempfile.mkdtemp(prefix=_scratch_prefix(target), dir=target.parent))
    except OSError as exc:
        raise output_error(target, exc) from exc
    tmp_path = scratch / f"ntvt{target.suffix[:16]}"
    try:
        yield tmp_path
        _make_shareable(tmp_path)
        os.replace(tmp_path, target)
    except OutputError:
        raise
    except Exception as exc:
        cause = _os_error_in(exc)
        if cause is None:
            raise
        raise output_error(target, cause) from exc
    finally:
        # On Windows a file still open (a writer that failed midway) cannot be removed yet: the
        # next write of this target removes the folder.
        shutil.rmtree(scratch, ignore_errors=True)


def _make_shareable(path: Path) -> None:
    # The scratch folder is private (0700) and so would be a file made by mkstemp; an output is a
    # document to share, like any other file the user creates.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _os_error_in(exc: BaseException) -> OSError | None:
    """The OSError behind exc, if any: writers wrap it (xlsxwriter's FileCreateError(OSError))."""
    for _ in range(5):  # a short chain: deeper means the OSError was not what went wrong
        if isinstance(exc, OSError):
            return exc
        wrapped = next((a for a in exc.args if isinstance(a, OSError)), None)
        exc = wrapped or exc.__cause__ or exc.__context__
        if exc is None:
            return None
    return None


# Leftovers of killed runs

_leftovers: dict[str, set[str]] = {}  # folder -> names of leftovers in it when this process first looked


def remove_stale_scratch(target: Path) -> None:
    """Remove what killed runs left for this target: scratch folders, and the `.tmp`/`.splice`
    files of versions before scratch folders.

    A folder is listed once per process (a listing of 10,000 files takes 15 ms: per copy, that
    would be minutes for a city's annotated copies); what other runs leave later is for the next
    process. Errors are ignored: on Windows a folder still in use by another run cannot be removed,
    and is left to a later run.
    """
    folder = os.path.abspath(target.parent)
    names = _leftovers.get(folder)
    if names is None:
        try:
            listing = os.listdir(folder)
        except OSError:
            listing = []
        names = _leftovers[folder] = {n for n in listing if n.startswith(".") and
                                      (SCRATCH_MARK in n or n.endswith((".tmp", ".tmp.splice")))}
    for name in [n for n in names if _is_leftover_of(n, target)]:
        names.discard(name)
        path = Path(folder, name)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()


def _scratch_prefix(target: Path) -> str:
    return f".{target.stem[:SCRATCH_STEM]}{SCRATCH_MARK}"


def _is_leftover_of(name: str, target: Path) -> bool:
    if name.startswith(_scratch_prefix(target)):
        return True
    # Before scratch folders: mkstemp(prefix=".<stem>.", suffix="<suffix>.tmp"), plus sheetxml's ".splice".
    legacy = name.startswith(f".{target.stem}.") and name.endswith((f"{target.suffix}.tmp", f"{target.suffix}.tmp.splice"))
    return legacy and SCRATCH_MARK not in name
