"""File-system helpers every stage shares: atomic writes, stat signatures, text decoding.

One home for each: a file is always written through ``atomic_write`` (never in place,
so a hard-linked copy elsewhere is never written through), a file's identity between
builds is its ``stat_signature``, and bytes that should be UTF-8 text are decoded by
``decode_utf8`` (which tells GBK/GB18030 files from Windows editors apart).
"""

from __future__ import annotations

import os
from pathlib import Path

from .messages import msg

Signature = tuple[int, int, int, int]  # mtime_ns, ctime_ns, size, inode
MISSING: Signature = (0, 0, 0, 0)  # a file that vanished between listing and stat


def atomic_write(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: into a temporary file beside it, then
    renamed over it (the old inode is left alone). Missing parent directories are made.
    Raises ``OSError`` if the file cannot be written; no temporary file is left."""
    path = os.fspath(path)
    folder, name = os.path.split(path)
    os.makedirs(folder or ".", exist_ok=True)
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    try:
        try:
            fh = open(tmp, "xb")  # noqa: SIM115 - closed below
        except FileExistsError:  # left by a killed process that had our pid
            os.unlink(tmp)
            fh = open(tmp, "xb")  # noqa: SIM115
        with fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def stat_signature(st: os.stat_result) -> Signature:
    """What tells a file changed since a build saw it: mtime, ctime, size and inode."""
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


class NotUTF8(ValueError):
    """Bytes that are not UTF-8 text: ``line`` (1-based) of the first bad byte, and the
    message for the editor (``message``; GBK/GB18030 is recognised: common from Windows
    editors)."""

    def __init__(self, line: int, gb18030: bool):
        self.line = line
        self.gb18030 = gb18030
        self.message = msg("content.gbk" if gb18030 else "content.not_utf8")
        super().__init__(self.message.render("en"))


def decode_utf8(data: bytes) -> str:
    """``data`` as UTF-8 text (a byte-order mark is dropped); raises ``NotUTF8``."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        try:
            data.decode("gb18030")
            gb18030 = True
        except UnicodeDecodeError:
            gb18030 = False
        raise NotUTF8(line, gb18030) from None


def decode_document(data: bytes) -> str | None:
    """A plain-text document from an editor's PC (``bulletin import``): UTF-8 (a BOM is
    dropped) or else GBK/GB18030, newlines made "\\n"; None if it is neither."""
    try:
        text = decode_utf8(data)
    except NotUTF8 as exc:
        if not exc.gb18030:
            return None
        text = data.decode("gb18030")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def file_stats(root: Path, folder: str) -> dict[str, tuple[int, int, int]]:
    """Files below ``root/folder`` by posix path relative to ``root``: (inode, mtime_ns,
    size) each, sorted by path; empty if the folder is missing."""
    out = {}
    for dirpath, _dirs, names in os.walk(root / folder):
        for name in names:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            out[rel] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return dict(sorted(out.items()))
