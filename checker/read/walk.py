"""The walk of an inbox folder: every entry under it, found without following a link or opening
anything but folders.

The walk trusts nothing it finds. It never follows a link (a link to /etc/shadow must not put the
shadow file's SHA-256 in the workbook; a link inside the inbox would count its target twice) and
lists special files (FIFOs, devices) without opening them; a link is described from its resolved
target, never read.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass

from ..model.errors import CheckerError
from .names import display_part, shown_text
from .regular import file_identity


@dataclass
class Entry:
    """One thing found under the inbox, before anything is opened."""

    path: str  # the real path, for access (may hold surrogate escapes)
    rel: str  # relative to the inbox, "/"-separated, raw
    shown: str  # the display form of rel, before names are made unique
    what: str  # file | link | special | folder
    st: os.stat_result | None = None  # lstat: a link's own, never its target's
    problem: str | None = None  # for a folder that was not walked: why


def walk(root: str) -> list[Entry]:
    """Every entry under root, without following links and opening nothing but folders.

    Iterative (a folder 10,000 deep is no RecursionError); a folder seen before under another name
    (a bind mount or a junction loop: same device and inode) is listed, not walked again."""
    out: list[Entry] = []
    try:
        seen = {file_identity(os.stat(root))}
    except OSError as exc:
        raise _inbox_error(root, exc) from None
    stack: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [(root, (), ())]
    while stack:
        folder, raw, shown = stack.pop()
        try:
            with os.scandir(folder) as it:
                items = list(it)
        except OSError as exc:
            if not raw:
                raise _inbox_error(root, exc) from None
            out.append(Entry(folder, "/".join(raw), "/".join(shown), "folder", problem=_folder_reason(exc)))
            continue
        for item in items:
            parts, names = raw + (item.name,), shown + (display_part(item.name),)
            rel, display = "/".join(parts), "/".join(names)
            try:
                st = os.lstat(item.path)
            except OSError:  # gone since the listing, or a path too long: reported when it is read
                out.append(Entry(item.path, rel, display, "file"))
                continue
            if _is_link(st):
                out.append(Entry(item.path, rel, display, "link", st))
            elif stat.S_ISDIR(st.st_mode):
                identity = file_identity(st)
                if identity is not None and identity in seen:
                    out.append(Entry(item.path, rel, display, "folder", st,
                                      problem="thư mục lặp lại một thư mục khác của hộp thư (gắn vòng): không đọc lại"))
                    continue
                seen.add(identity)
                stack.append((item.path, parts, names))
            elif stat.S_ISREG(st.st_mode):
                out.append(Entry(item.path, rel, display, "file", st))
            else:
                out.append(Entry(item.path, rel, display, "special", st))
    # Display order; among names shown alike, the one already clean (UTF-8, NFC) keeps the plain name.
    out.sort(key=lambda e: (e.shown, e.rel != e.shown, e.rel))
    return out


def _folder_reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return f"thư mục không mở được ({TOO_LONG}): các tệp trong đó chưa được đọc, {MOVE_UP}"
    return (f"thư mục không mở được ({type(exc).__name__}): các tệp trong đó chưa được đọc, "
            "hãy cấp quyền đọc rồi chạy lại")


TOO_LONG = "đường dẫn quá dài"
MOVE_UP = "hãy chuyển lên thư mục ít cấp hơn rồi chạy lại"


def _inbox_error(root: str, exc: OSError) -> CheckerError:
    return CheckerError(f"cannot list the inbox {root}: {exc}",
                        message=f"Không mở được thư mục hộp thư {shown_text(root)} ({type(exc).__name__}): "
                                "hãy kiểm tra đường dẫn và quyền đọc.")


def _is_link(st: os.stat_result) -> bool:
    # On Windows a junction is not S_ISLNK; it and a symlink are "name surrogate" reparse points.
    # Other reparse points (OneDrive placeholders, deduplicated files) are ordinary files.
    return stat.S_ISLNK(st.st_mode) or bool(getattr(st, "st_reparse_tag", 0) & 0x20000000)


def link_reason(entry: Entry, root_real: str, names: dict[str, str]) -> str:
    """What a link is, decided from its resolved target without opening anything.

    A link is never read. Outside the inbox it could point anywhere (/etc/shadow, /dev/zero); inside,
    its target is listed and read under its own name, so reading the link too would count one
    report twice (and two links could point at each other)."""
    try:
        target = os.path.realpath(entry.path, strict=True)  # stats, never opens
    except OSError as exc:
        if exc.errno == errno.ELOOP or getattr(exc, "winerror", None) == 1921:  # 1921: too many links
            return "liên kết hỏng (vòng lặp liên kết): không đọc"
        if isinstance(exc, FileNotFoundError):
            return "liên kết hỏng (không có tệp đích): không đọc"
        return f"liên kết hỏng ({type(exc).__name__}): không đọc"
    if not _inside(target, root_real):
        return "liên kết trỏ ra ngoài hộp thư: không đọc (hãy chép chính tệp vào hộp thư)"
    rel = os.path.relpath(target, root_real)
    if rel == os.curdir:
        return "liên kết tới chính thư mục hộp thư: không đọc"
    rel = rel.replace(os.sep, "/")
    shown = (names.get(rel) or "/".join(display_part(p) for p in rel.split("/"))).rstrip("/")
    if os.path.isdir(target):
        return f"liên kết tới thư mục “{shown}/” trong hộp thư: không đọc, các tệp trong đó đã được tính riêng"
    return f"liên kết tới “{shown}” trong hộp thư: không đọc, tệp gốc đã được tính riêng"


def _inside(target: str, root_real: str) -> bool:
    target, root_real = os.path.normcase(target), os.path.normcase(root_real)
    try:
        return os.path.commonpath([target, root_real]) == root_real
    except ValueError:  # another drive on Windows
        return False
