"""Writing a directory of generated files without disturbing hard-linked previous output.

The staging directory may hold hard links to the live site's files. A file is therefore
never opened for writing in place: new content goes to a temporary file in the same
directory and is moved over the old name with ``os.replace`` (the live inode is left
alone). A file whose bytes are already right is not touched at all; files that are no
longer produced are unlinked.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SyncResult:
    written: int
    unchanged: int
    deleted: int
    bytes_written: int
    total_bytes: int


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if not path.is_file() or path.is_symlink() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def sync_tree(root: Path, files: Mapping[str, bytes]) -> SyncResult:
    """Make ``root`` contain exactly ``files`` (relative POSIX path -> bytes)."""
    root.mkdir(parents=True, exist_ok=True)
    written = unchanged = bytes_written = total = 0
    for rel in sorted(files):
        data = files[rel]
        total += len(data)
        path = root / rel
        if _same_bytes(path, data):
            unchanged += 1
            continue
        if path.is_dir() and not path.is_symlink():
            _remove_tree(path)
        atomic_write(path, data)
        written += 1
        bytes_written += len(data)
    deleted = 0
    wanted = set(files)
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        d = Path(dirpath)
        for name in filenames:
            rel = (d / name).relative_to(root).as_posix()
            if rel not in wanted:
                (d / name).unlink()
                deleted += 1
        for name in dirnames:
            sub = d / name
            if sub.is_symlink():
                rel = sub.relative_to(root).as_posix()
                if rel not in wanted:
                    sub.unlink()
                    deleted += 1
            elif not any(sub.iterdir()):
                sub.rmdir()
    return SyncResult(written, unchanged, deleted, bytes_written, total)


def _remove_tree(path: Path) -> None:
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
