"""Finding and reading a site's item files: from the cache when a file is unchanged.

``scan_sources`` lists the item files with their stat signatures (nothing is read);
``read_sources`` parses the ones whose signature changed — in worker processes when
there are many — and keeps the rest from the cache's item index. Bodies are split off
the parse results in the workers: the item index keeps the slim results (all the model
needs), the body store the HTML and text (loaded when a page shows them).

The office's own documents — bulletin issues under ``content/issues/`` and circular notes
under ``content/circulars/`` — are scanned with the items (their signatures are part of
the build's input) and read by ``issues`` on every build that reads anything: they are
few, and what an issue says depends on every item it names.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import __version__, content, issues, parallel
from .cache import Body, BuildCache, ItemEntry
from .config import SiteConfig
from .diagnostics import Diagnostic
from .fsutil import MISSING, Signature, stat_signature

PARALLEL_MIN = 256  # below this many files, read in-process
BACKGROUND_WRITE_MIN = 1000  # freshly parsed items whose cache is written by a child


@dataclass(frozen=True)
class Scan:
    """Item files found, with their stat signatures (cheap: no file is read)."""

    files: list[tuple[str, str, Signature]]  # (path, site-relative posix path, signature)
    problems: list[Diagnostic]
    # bulletin issues and circular notes, the same way (``find_documents``)
    documents: list[tuple[str, str, Signature]] = field(default_factory=list)

    @functools.cached_property
    def signatures(self) -> list[tuple[str, Signature]]:
        """The item files' signatures, in scan order."""
        return [(rel, sig) for _p, rel, sig in self.files]

    @property
    def inputs(self) -> list[tuple[str, Signature]]:
        """Every content file's signature: the items', then the documents'."""
        return self.signatures + [(rel, sig) for _p, rel, sig in self.documents]


def _done() -> None:
    return None


@dataclass
class Sources:
    """Every item file of a scan, parsed."""

    items: list[content.SourceItem]
    problems: list[Diagnostic]
    changed: list[str]  # the files read (not taken from the cache)
    signatures: list[tuple[str, Signature]]  # every item file, in scan order
    entries: dict[str, ItemEntry]  # the item index as it is now
    # waits until the cache of what was read is on disk (it may be written in a child)
    cache_written: Callable[[], None] = _done
    documents: issues.Documents = issues.Documents()  # bulletin issues, circular notes
    document_files: list[tuple[str, str, Signature]] = field(default_factory=list)  # as scanned


def config_key(config: SiteConfig) -> str:
    """What the item index was made for: parse results depend on the config and version."""
    return f"{config.fingerprint}:{config.root}:{__version__}"


def scan_sources(config: SiteConfig) -> Scan:
    """The item files and documents under content/ and their signatures."""
    found, problems = content.find_items(config)
    files = [
        (path, rel, stat_signature(st) if st is not None else MISSING) for path, rel, st in found
    ]
    return Scan(files, problems, find_documents(config))


def find_documents(config: SiteConfig) -> list[tuple[str, str, Signature]]:
    """Issue files under content/issues/ and circular notes under content/circulars/:
    (path, site-relative posix path, stat signature), sorted by path. Hidden files and
    folders, and anything but plain files (a symbolic link, a pipe), are skipped."""
    found = []
    for name in content.DOCUMENT_DIRS:
        folder = config.content_dir / name
        if folder.is_symlink() or not folder.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            prefix = os.path.relpath(dirpath, config.root).replace(os.sep, "/") + "/"
            for file in sorted(filenames):
                if not file.endswith(".md") or file.startswith("."):
                    continue
                path = os.path.join(dirpath, file)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                if stat.S_ISREG(st.st_mode):
                    found.append((path, prefix + file, stat_signature(st)))
    return sorted(found, key=lambda entry: entry[1])


def split_body(result: content.ReadResult) -> tuple[content.ReadResult, Body | None]:
    """A parse result without its body's HTML and text (what the item index keeps, and
    all the model needs), and that body (for the body store)."""
    if result.item is None:
        return result, None
    body = result.item.body
    slim = replace(body, html="", text="")
    return replace(result, item=replace(result.item, body=slim)), (body.html, body.text)


def read_files(
    config: SiteConfig, batch: list[tuple[str, str]]
) -> list[tuple[content.ReadResult, Body | None]]:
    """Parse files (path, site-relative path), bodies split off here in the worker."""
    return [split_body(content.read_file(Path(path), rel, config)) for path, rel in batch]


def _reader_state(config: SiteConfig) -> SiteConfig:
    return config


def read_sources(
    config: SiteConfig,
    cache: BuildCache,
    scan: Scan,
    jobs: int = 1,
    progress: parallel.Progress | None = None,
) -> Sources:
    """Every item file of ``scan``, parsed — from the cache when the file is unchanged."""
    key = config_key(config)
    old = cache.load_items(key)
    entries: dict[str, ItemEntry] = {}
    todo: list[tuple[str, str]] = []
    sig_of: dict[str, Signature] = {}
    for path, rel, sig in scan.files:
        sig_of[rel] = sig
        entry = old.get(rel)
        if entry is not None and entry.signature == sig and sig != MISSING:
            entries[rel] = entry
        else:
            todo.append((str(path), rel))
    fresh = parallel.map_batches(
        read_files,
        todo,
        jobs=jobs,
        init=_reader_state,
        args=(config,),
        parallel=len(todo) >= PARALLEL_MIN,
        stage="read",
        progress=progress,
    )
    for result, body in fresh:
        if body is not None and result.item is not None:
            cache.bodies.put(result.item.key, body)
        entries[result.path] = ItemEntry(sig_of[result.path], result)
    written: Callable[[], None] = _done
    if fresh or len(entries) != len(old):
        # only the index shards of changed, added or deleted files are rewritten
        dirty = {r.path for r, _body in fresh} | (set(old) - set(entries)) if old else None

        def write_cache() -> None:
            # bodies first: the index must never name a body that is not on disk
            cache.bodies.flush(e.result.item.key for e in entries.values() if e.result.item)
            cache.save_items(key, entries, dirty)

        # A big write (a first build: ~160 MB at 10k items) goes on in a forked child
        # while this process builds the model and renders; a process that keeps the
        # cache in memory too writes here.
        if len(fresh) >= BACKGROUND_WRITE_MIN and cache.memory is None and cache.enabled:
            written = parallel.in_background(write_cache)
        else:
            write_cache()
    else:
        cache.remember_items(key, entries)
    items: list[content.SourceItem] = []
    problems = list(scan.problems)
    for _path, rel, _sig in scan.files:
        result = entries[rel].result
        problems.extend(result.diagnostics)
        if result.item is not None:
            items.append(result.item)
    documents, found = issues.read_documents(((p, rel) for p, rel, _s in scan.documents), config)
    return Sources(
        items,
        problems + found,
        [rel for _p, rel in todo],
        scan.signatures,
        entries,
        written,
        documents,
        scan.documents,
    )


def update_sources(
    config: SiteConfig,
    cache: BuildCache,
    entries: dict[str, ItemEntry],
    fresh: dict[str, tuple[Signature, content.ReadResult]],
) -> dict[str, ItemEntry]:
    """The item index with a few files read again (``fresh``: path → signature, result),
    written to the cache: their bodies first, then the index shards holding them."""
    updated = dict(entries)
    for rel, (sig, result) in fresh.items():
        slim, body = split_body(result)
        if body is not None and result.item is not None:
            cache.bodies.put(result.item.key, body)
        updated[rel] = ItemEntry(sig, slim)
    cache.bodies.flush(e.result.item.key for e in updated.values() if e.result.item)
    cache.save_items(config_key(config), updated, set(fresh))
    return updated
