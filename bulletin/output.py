"""Writing the site safely: a staging directory beside the output, then an atomic swap.

The staging directory starts as hard links of the live site, so files whose bytes do not
change keep their inode and mtime; a changed file is written anew and renamed into place,
which never touches the live copy. A failed build removes the staging directory and leaves
the live site exactly as it was.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .config import SiteConfig
from .diagnostics import Diagnostic

MARKER = ".bulletin-output"
# the spare tree's state file; a spare left by an older format (which could keep empty
# directories of gone items) is not reused: the next staging is linked afresh
SPARE_FORMAT = 2
MARKER_TEXT = "This directory is written by bulletin; it is replaced on every build.\n"


def check_output_dir(config: SiteConfig, output: Path) -> list[Diagnostic]:
    """Refuse output directories that a build could damage."""
    out = output.resolve()
    root = config.root.resolve()
    field = "output_dir"

    def refuse(message: str) -> list[Diagnostic]:
        return [Diagnostic("site.toml", None, field, f"{out}: {message}; nothing was written")]

    if out == root:
        return refuse("is the site directory itself")
    if out in root.parents:
        return refuse("is an ancestor of the site directory")
    for name in ("content", "layouts"):
        special = (root / name).resolve()
        if out == special or special in out.parents:
            return refuse(f"is inside {name}/")
    if out.exists():
        if not out.is_dir():
            return refuse("exists and is not a directory")
        if any(out.iterdir()) and not (out / MARKER).is_file():
            return refuse(
                f"is a non-empty directory that bulletin did not create (no {MARKER} marker)"
            )
    return []


@dataclass
class WriteStats:
    written: int = 0
    unchanged: int = 0
    removed: int = 0


class Staging:
    """A staging copy of the output directory, to be swapped in or thrown away.

    The tree swapped out by the previous build is kept as a spare beside the output;
    the next build patches it with the files that build changed (recorded in a state
    file) instead of linking the whole site again, so a one-page edit costs a few
    file operations, not one per page.
    """

    def __init__(self, output: Path):
        self.output = output
        self.path = output.parent / f".{output.name}.staging-{os.getpid()}"
        self.spare = output.parent / f".{output.name}.spare"
        self.state_file = output.parent / f".{output.name}.bulletin-state"
        self.kept: set[str] = {MARKER}
        self.stats = WriteStats()
        self.new_files: list[str] = []
        self.removed_files: list[str] = []
        self.previous: set[str] | None = None  # files of the tree we started from, if known

    def __enter__(self) -> Staging:
        self.output.parent.mkdir(parents=True, exist_ok=True)
        # one build at a time per output directory (a watcher and a manual build may race)
        # (the lock is on the parent directory itself, so no lock file is left behind)
        self._lock = os.open(self.output.parent, os.O_RDONLY)
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        try:  # the live tree this staging starts from (another build may have swapped)
            self.started_from: int | None = os.stat(self.output).st_ino
        except OSError:
            self.started_from = None
        for stale in self.output.parent.glob(f".{self.output.name}.staging-*"):
            shutil.rmtree(stale, ignore_errors=True)
        if self.output.is_dir() and (self.output / MARKER).is_file():
            if not self._reuse_spare():
                shutil.rmtree(self.spare, ignore_errors=True)
                self.previous = _link_tree(self.output, self.path)
        else:
            self.path.mkdir()
            self.previous = set()  # nothing to prune: no need to walk what this build writes
        if not (self.path / MARKER).is_file():
            (self.path / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        return self

    def _reuse_spare(self) -> bool:
        from .cache import load

        state = load(self.state_file)
        try:
            ok = (
                isinstance(state, dict)
                and state.get("format") == SPARE_FORMAT
                and state["output"] == str(self.output)
                and self.output.stat().st_ino == state["live"]
                and self.spare.stat().st_ino == state["spare"]
            )
        except (OSError, KeyError):
            ok = False
        if not ok:
            return False
        for rel in state["changes"]:
            live, spare = self.output / rel, self.spare / rel
            try:
                spare.unlink()
            except (FileNotFoundError, NotADirectoryError):
                pass
            except IsADirectoryError:
                shutil.rmtree(spare)
            if live.is_file():
                spare.parent.mkdir(parents=True, exist_ok=True)
                os.link(live, spare)
            else:
                # gone from the live tree: so is its directory, if nothing else is in it
                _remove_empty_parents(spare.parent, self.spare)
        os.rename(self.spare, self.path)
        files = state.get("files")
        self.previous = set(files) if isinstance(files, list) else None
        return True

    def __exit__(self, *exc: object) -> None:
        try:
            if self.path.exists():
                shutil.rmtree(self.path, ignore_errors=True)
        finally:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            os.close(self._lock)

    def existing(self, rel: str) -> bytes | None:
        try:
            return (self.path / rel).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    def keep(self, rel: str) -> None:
        """Keep a file from the previous build as it is."""
        self.kept.add(rel)
        self.stats.unchanged += 1

    def write(self, rel: str, data: bytes, *, compare: bool = True) -> bool:
        """Write one file unless identical bytes are already there; True if written."""
        self.kept.add(rel)
        target = self.path / rel
        if compare and self.existing(rel) == data:
            self.stats.unchanged += 1
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        self.stats.written += 1
        self.new_files.append(rel)
        return True

    def prune(self) -> None:
        """Delete files of the previous build that this build did not produce."""
        if self.previous is not None:
            for rel in sorted(self.previous - self.kept):
                path = self.path / rel
                try:
                    path.unlink()
                except FileNotFoundError:
                    continue
                self.stats.removed += 1
                self.removed_files.append(rel)
                _remove_empty_parents(path.parent, self.path)
            return
        for dirpath, _dirs, filenames in os.walk(self.path, topdown=False):
            for name in filenames:
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, self.path).replace(os.sep, "/")
                if rel not in self.kept:
                    os.unlink(full)
                    self.stats.removed += 1
                    self.removed_files.append(rel)
            if dirpath != str(self.path) and not os.listdir(dirpath):
                os.rmdir(dirpath)

    def all_files(self) -> Iterable[str]:
        return sorted(self.kept)

    def swap(self) -> None:
        """Put the staging directory in place of the output, atomically where possible."""
        from .cache import save

        if self.output.exists():
            if _exchange(self.path, self.output):
                os.rename(self.path, self.spare)
                state = {
                    "format": SPARE_FORMAT,
                    "output": str(self.output),
                    "live": self.output.stat().st_ino,
                    "spare": self.spare.stat().st_ino,
                    "changes": sorted(set(self.new_files) | set(self.removed_files)),
                    "files": sorted(self.kept),
                }
                save(self.state_file, state)
                return
            old = self.output.parent / f".{self.output.name}.old-{os.getpid()}"
            os.rename(self.output, old)
            os.rename(self.path, self.output)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(self.path, self.output)


def _remove_empty_parents(folder: Path, top: Path) -> None:
    """Remove ``folder`` and then each parent while it is empty, stopping below ``top``.

    A directory is never left behind empty: a build's output holds exactly the
    directories that hold its files (an empty ``items/<slug>/`` would still name an item
    that is gone, perhaps withheld, to anyone listing the directory)."""
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty (or already gone)
            if folder.exists():
                return
        folder = folder.parent


def _link_tree(src: Path, dst: Path) -> set[str]:
    """Mirror src at dst with hard links (directories created, files linked); the files
    linked, as posix paths relative to src. Directories without any file below them are
    not mirrored: the staging tree holds only directories that hold files."""
    os.mkdir(dst)
    files: set[str] = set()
    stack = [(str(src), str(dst), "")]
    made: list[str] = []
    while stack:
        s, d, prefix = stack.pop()
        with os.scandir(s) as it:
            for entry in it:
                target = os.path.join(d, entry.name)
                if entry.is_dir(follow_symlinks=False):
                    os.mkdir(target)
                    made.append(target)
                    stack.append((entry.path, target, prefix + entry.name + "/"))
                else:
                    os.link(entry.path, target, follow_symlinks=False)
                    files.add(prefix + entry.name)
    for folder in reversed(made):  # deepest first
        try:
            os.rmdir(folder)  # only succeeds for an empty one
        except OSError:
            pass
    return files


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step with renameat2(RENAME_EXCHANGE) on Linux."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def leak_pattern(needles: Iterable[str]) -> re.Pattern[bytes] | None:
    """One regex matching any withheld string as it could appear in an output file:
    raw, HTML-escaped (Python's and Jinja's forms), JSON-escaped or URL-encoded."""
    import html
    import json
    from urllib.parse import quote

    from markupsafe import escape

    forms: set[bytes] = set()
    for needle in needles:
        if not needle:
            continue
        for form in (
            needle,
            html.escape(needle),
            html.escape(needle, quote=False),
            str(escape(needle)),
            json.dumps(needle, ensure_ascii=False)[1:-1],
            json.dumps(needle)[1:-1],
            quote(needle),
        ):
            forms.add(form.encode("utf-8"))
    if not forms:
        return None
    return re.compile(b"|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))


def scan_for_leaks(root: Path, files: Iterable[str], pattern: re.Pattern[bytes]) -> list[str]:
    """Files under root containing a withheld string."""
    found = []
    for rel in files:
        try:
            data = (root / rel).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            continue
        if pattern.search(data):
            found.append(rel)
    return found


def name_pattern(needles: Iterable[str]) -> re.Pattern[str] | None:
    """One regex matching any withheld string as it could appear in an output path's
    names (of a file or of a directory): raw or URL-encoded."""
    from urllib.parse import quote

    forms = {form for n in needles if n for form in (n, quote(n, safe=""), quote(n))}
    if not forms:
        return None
    return re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))


def names_with_leaks(files: Iterable[str], pattern: re.Pattern[str] | None) -> list[str]:
    """The files (posix paths) whose name, or the name of a directory they are in,
    contains a withheld string. Directories are named through their files: the staged
    output holds no directory without a file below it."""
    if pattern is None:
        return []
    return [rel for rel in files if pattern.search(rel)]
