"""Writing the site safely: a staging directory beside the output, then an atomic swap.

The staging directory starts as hard links of the live site, so files whose bytes do not
change keep their inode and mtime; a changed file is written anew and renamed into place,
which never touches the live copy. A failed build removes the staging directory and leaves
the live site exactly as it was. The staged tree holds exactly the directories that hold
its files: no directory is left behind empty (it would still name what is gone).

``LiveOutput`` is the output as a build found or left it (its files' stats): a build
trusts the last one's record only when the output still matches it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .cache import load, save
from .config import SiteConfig
from .diagnostics import Diagnostic
from .fingerprint import digest
from .fsutil import atomic_write, file_stats
from .messages import Message, msg

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

    def refuse(why: Message) -> list[Diagnostic]:
        return [Diagnostic("site.toml", None, field, msg("output.refused", out=str(out), why=why))]

    if out == root:
        return refuse(msg("output.site_dir"))
    if out in root.parents:
        return refuse(msg("output.ancestor"))
    for name in ("content", "layouts"):
        special = (root / name).resolve()
        if out == special or special in out.parents:
            return refuse(msg("output.inside", name=name))
    if out.exists():
        if not out.is_dir():
            return refuse(msg("output.not_dir"))
        if any(out.iterdir()) and not (out / MARKER).is_file():
            return refuse(msg("output.foreign", marker=MARKER))
    return []


@dataclass
class WriteStats:
    """Files a staging wrote, found unchanged and removed."""

    written: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass(frozen=True)
class PageWriter:
    """Writes files into a staging directory; safe to use from worker processes (it holds
    only paths). What it writes, the ``Staging`` that made it is told by ``record``."""

    root: str  # the staging directory, with a trailing separator
    # files of the tree the staging started from (None: unknown); a file not among them
    # is created without a read to compare
    previous: frozenset[str] | None

    def write(self, rel: str, data: bytes) -> bool:
        """Put ``data`` at ``rel`` unless identical bytes are there; True if written.

        Never writes into an existing file: that could be a hard link shared with the
        live site. A file new to the tree is created exclusively (a file there after all
        is replaced below); any other is compared, then replaced atomically."""
        target = self.root + rel
        if self.previous is not None and rel not in self.previous:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            try:
                with open(target, "xb") as fh:
                    fh.write(data)
                return True
            except FileExistsError:
                pass
        try:
            with open(target, "rb") as fh:
                if fh.read() == data:
                    return False
        except OSError:
            pass
        atomic_write(target, data)
        return True


class Staging:
    """A staging copy of the output directory, to be swapped in or thrown away.

    The tree swapped out by the previous build is kept as a spare beside the output;
    the next build patches it with the files that build changed (recorded in a state
    file) instead of linking the whole site again, so a one-page edit costs a few
    file operations, not one per page. Files are written with ``put`` (or by a
    ``PageWriter`` and then ``record``-ed), carried over with ``keep``; ``prune``
    removes the rest of the previous tree, ``swap`` puts the staging tree live.
    """

    def __init__(self, output: Path):
        self._output = output
        self._path = output.parent / f".{output.name}.staging-{os.getpid()}"
        self._spare = output.parent / f".{output.name}.spare"
        self._state_file = output.parent / f".{output.name}.bulletin-state"
        self._files: set[str] = {MARKER}
        self._stats = WriteStats()
        self._written: list[str] = []
        self._removed: list[str] = []
        self._previous: frozenset[str] | None = None
        self._lock = -1

    # --- what it holds ---------------------------------------------------------------

    @property
    def output(self) -> Path:
        """The live output directory this staging replaces."""
        return self._output

    @property
    def path(self) -> Path:
        """The staging directory."""
        return self._path

    @property
    def previous(self) -> frozenset[str] | None:
        """Files of the tree this staging started from (None: unknown, pruned by a walk)."""
        return self._previous

    @property
    def files(self) -> frozenset[str]:
        """Every file the staged output will hold."""
        return frozenset(self._files)

    @property
    def written(self) -> tuple[str, ...]:
        """Files written (new or changed), in the order they were."""
        return tuple(self._written)

    @property
    def removed(self) -> tuple[str, ...]:
        """Files of the previous tree pruned."""
        return tuple(self._removed)

    @property
    def stats(self) -> WriteStats:
        return WriteStats(self._stats.written, self._stats.unchanged, self._stats.removed)

    # --- lifecycle -------------------------------------------------------------------

    def __enter__(self) -> Staging:
        self._output.parent.mkdir(parents=True, exist_ok=True)
        # one build at a time per output directory (a watcher and a manual build may race)
        # (the lock is on the parent directory itself, so no lock file is left behind)
        self._lock = os.open(self._output.parent, os.O_RDONLY)
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        for stale in self._output.parent.glob(f".{self._output.name}.staging-*"):
            shutil.rmtree(stale, ignore_errors=True)
        if self._output.is_dir() and (self._output / MARKER).is_file():
            if not self._reuse_spare():
                shutil.rmtree(self._spare, ignore_errors=True)
                self._previous = frozenset(_link_tree(self._output, self._path))
        else:
            self._path.mkdir()
            self._previous = frozenset()  # nothing to prune: no walk of what is written
        if not (self._path / MARKER).is_file():
            (self._path / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        return self

    def _reuse_spare(self) -> bool:
        state = load(self._state_file)
        try:
            ok = (
                isinstance(state, dict)
                and state.get("format") == SPARE_FORMAT
                and state["output"] == str(self._output)
                and self._output.stat().st_ino == state["live"]
                and self._spare.stat().st_ino == state["spare"]
            )
        except (OSError, KeyError):
            ok = False
        if not ok or not isinstance(state, dict):
            return False
        for rel in state["changes"]:
            live, spare = self._output / rel, self._spare / rel
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
                _remove_empty_parents(spare.parent, self._spare)
        os.rename(self._spare, self._path)
        files = state.get("files")
        self._previous = frozenset(files) if isinstance(files, list) else None
        return True

    def __exit__(self, *exc: object) -> None:
        try:
            if self._path.exists():
                shutil.rmtree(self._path, ignore_errors=True)
        finally:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            os.close(self._lock)

    # --- writing ---------------------------------------------------------------------

    def writer(self) -> PageWriter:
        """A writer into this staging tree (for worker processes; see ``record``)."""
        return PageWriter(str(self._path) + os.sep, self._previous)

    def put(self, rel: str, data: bytes) -> bool:
        """Stage ``data`` as the file ``rel`` (posix, relative to the output); True if
        written, False if identical bytes were there already."""
        written = self.writer().write(rel, data)
        self.record(rel, written)
        return written

    def record(self, rel: str, written: bool) -> None:
        """Count a file a ``PageWriter`` staged: written, or found already identical."""
        self._files.add(rel)
        if written:
            self._stats.written += 1
            self._written.append(rel)
        else:
            self._stats.unchanged += 1

    def keep(self, rel: str) -> None:
        """Keep a file of the previous build as it is (counted as unchanged)."""
        self._files.add(rel)
        self._stats.unchanged += 1

    def carry(self, files: Iterable[str]) -> None:
        """Keep files of the previous build as they are, without counting them (a partial
        rebuild carries the rest of the site over)."""
        self._files.update(files)

    def carry_folder(self, folder: str) -> None:
        """Carry over every file below ``folder`` as it is (the search index, until it
        is brought up to date)."""
        self._files.update(file_stats(self._path, folder))

    def track(self, folder: str, work: Callable[[Path], None]) -> None:
        """Run ``work(staging directory)``, which rewrites the files below ``folder``
        (never in place), and record what it did: files it replaced (a new inode) or
        added count as written, files it deleted as removed."""
        before = file_stats(self._path, folder)
        work(self._path)
        after = file_stats(self._path, folder)
        self._files.difference_update(before)
        self._files.update(after)
        self._written.extend(rel for rel, st in after.items() if before.get(rel) != st)
        self._removed.extend(sorted(set(before) - set(after)))

    def prune(self) -> None:
        """Delete files of the previous build that this build did not stage, and the
        directories they leave empty."""
        if self._previous is not None:
            for rel in sorted(self._previous - self._files):
                path = self._path / rel
                try:
                    path.unlink()
                except FileNotFoundError:
                    continue
                self._stats.removed += 1
                self._removed.append(rel)
                _remove_empty_parents(path.parent, self._path)
            return
        for dirpath, _dirs, filenames in os.walk(self._path, topdown=False):
            for name in filenames:
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, self._path).replace(os.sep, "/")
                if rel not in self._files:
                    os.unlink(full)
                    self._stats.removed += 1
                    self._removed.append(rel)
            if dirpath != str(self._path) and not os.listdir(dirpath):
                os.rmdir(dirpath)

    def swap(self) -> None:
        """Put the staging directory in place of the output, atomically where possible."""
        if self._output.exists():
            if _exchange(self._path, self._output):
                os.rename(self._path, self._spare)
                state = {
                    "format": SPARE_FORMAT,
                    "output": str(self._output),
                    "live": self._output.stat().st_ino,
                    "spare": self._spare.stat().st_ino,
                    "changes": sorted(set(self._written) | set(self._removed)),
                    "files": sorted(self._files),
                }
                save(self._state_file, state)
                return
            old = self._output.parent / f".{self._output.name}.old-{os.getpid()}"
            os.rename(self._output, old)
            os.rename(self._path, self._output)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(self._path, self._output)


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


# --- the output as a build finds or leaves it -----------------------------------------


@dataclass(frozen=True)
class LiveOutput:
    """The output directory as a build found it: its inode and its files' stats."""

    inode: int
    files: dict[str, tuple[int, int, int]]  # posix path in the output → (size, inode, mtime)

    @property
    def signature(self) -> str:
        return digest(repr(sorted(self.files.items())))  # one C-level repr, not 10k str()s


def output_signature(output: Path) -> str:
    """Names, sizes, inodes and mtimes of every output file: a page deleted or edited by
    hand since the last build changes it, so the build does not trust a tampered site."""
    live = live_output(output)
    return live.signature if live else ""


def live_output(output: Path, known: Iterable[str] | None = None) -> LiveOutput | None:
    """The output's files and their stats (None if it is missing or unreadable): the
    ``known`` files only, each looked up by name (a file deleted by hand is missing from
    the result), or else every file found by walking the tree. Looking up 100,000 names
    costs a tenth of walking 100,000 item directories."""
    try:
        inode = os.stat(output).st_ino
    except OSError:
        return None
    entries: dict[str, tuple[int, int, int]] = {}
    root = str(output) + os.sep
    if known is not None:
        for rel in known:
            try:
                st = os.lstat(root + rel)
            except OSError:
                continue
            entries[rel] = (st.st_size, st.st_ino, st.st_mtime_ns)
        return LiveOutput(inode, entries)
    stack = [""]
    while stack:
        prefix = stack.pop()
        try:
            with os.scandir(root + prefix) as it:
                for entry in it:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(prefix + entry.name + "/")
                    else:
                        st = entry.stat(follow_symlinks=False)
                        entries[prefix + entry.name] = (st.st_size, st.st_ino, st.st_mtime_ns)
        except OSError:
            return None
    return LiveOutput(inode, entries)
