"""Writing a directory of generated files without disturbing hard-linked previous output.

The staging directory may hold hard links to the live site's files. A file is therefore
never opened for writing in place: new content goes to a temporary file in the same
directory and is moved over the old name with ``os.replace`` (the live inode is left
alone). A file whose bytes are already right is not touched at all; files that are no
longer produced are unlinked.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..fsutil import atomic_write


@dataclass(frozen=True)
class SyncResult:
    written: int
    unchanged: int
    deleted: int
    bytes_written: int
    total_bytes: int


def _up_to_date(path: str, data: bytes, trust_name: bool) -> bool:
    """Same bytes already there? A content-addressed name only needs the right size."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
        return False
    if trust_name:
        return True
    try:
        with open(path, "rb") as fh:
            return fh.read() == data
    except OSError:
        return False


def write_files(
    root: Path,
    files: Mapping[str, bytes],
    content_addressed: Callable[[str], bool] = lambda rel: False,
) -> SyncResult:
    """Write each of ``files`` (relative POSIX path -> bytes) whose bytes are not there yet.

    ``content_addressed(rel)`` says that the name of ``rel`` is derived from a hash of
    its bytes, so a file of that name and size is taken as already right.
    """
    top = os.fspath(root)
    os.makedirs(top, exist_ok=True)
    written = unchanged = bytes_written = total = 0
    for rel in sorted(files):
        data = files[rel]
        total += len(data)
        path = os.path.join(top, rel)
        if _up_to_date(path, data, content_addressed(rel)):
            unchanged += 1
            continue
        if os.path.isdir(path) and not os.path.islink(path):
            _remove_tree(path)
        atomic_write(path, data)
        written += 1
        bytes_written += len(data)
    return SyncResult(written, unchanged, 0, bytes_written, total)


def delete_stale(root: Path, wanted: Container[str]) -> int:
    """Unlink every file under ``root`` not in ``wanted``; remove emptied directories."""
    top = os.fspath(root)
    deleted = 0
    for dirpath, dirnames, filenames in os.walk(top, topdown=False):
        rel_dir = os.path.relpath(dirpath, top)
        prefix = "" if rel_dir == "." else rel_dir.replace(os.sep, "/") + "/"
        for name in filenames:
            if prefix + name not in wanted:
                os.unlink(os.path.join(dirpath, name))
                deleted += 1
        for name in dirnames:
            sub = os.path.join(dirpath, name)
            if os.path.islink(sub):
                if prefix + name not in wanted:
                    os.unlink(sub)
                    deleted += 1
            elif not os.listdir(sub):
                os.rmdir(sub)
    return deleted


def sync_tree(
    root: Path,
    files: Mapping[str, bytes],
    content_addressed: Callable[[str], bool] = lambda rel: False,
) -> SyncResult:
    """Make ``root`` contain exactly ``files``: write what differs, delete the rest."""
    done = write_files(root, files, content_addressed)
    deleted = delete_stale(root, files)
    return SyncResult(done.written, done.unchanged, deleted, done.bytes_written, done.total_bytes)


def _remove_tree(path: str) -> None:
    for dirpath, dirnames, filenames in os.walk(path, topdown=False):
        for name in filenames:
            os.unlink(os.path.join(dirpath, name))
        for name in dirnames:
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                os.unlink(full)
            else:
                os.rmdir(full)
    os.rmdir(path)
