"""The persistent build cache in ``<site>/.bulletin-cache/``.

Never trusted blindly: every file carries a magic header, the format version, the
bulletin version and a checksum of its payload; anything that does not verify is
ignored (and rebuilt), never used. Wrong output from a cache is the worst bug this
project can have, so keys include everything an entry was computed from.

- ``item-index/NN``: per source file, its stat signature and parsed ``SourceItem``
  without its rendered body, in 64 shards by path (loaded every build; a one-file edit
  rewrites one shard);
- ``bodies/NN``: rendered bodies (HTML and plain text) in 64 shards, loaded on demand;
- ``manifest``: the last successful build (``Manifest``) — its input fingerprint and,
  per output file, the fingerprint of what it was rendered from;
- ``templates-<version>/``: compiled templates (Jinja's bytecode cache).

A long-running process (serve, watch) keeps a ``CacheMemory``: the item index and the
loaded body shards stay in memory between its builds; the disk stays the source of truth.
"""

from __future__ import annotations

import pickle
import shutil
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .content import ReadResult
from .diagnostics import BodyMissing, Diagnostic
from .fingerprint import checksum
from .fsutil import Signature, atomic_write

CACHE_DIR = ".bulletin-cache"  # inside the site directory
# 3: front matter read from YAML nodes (text as typed): older parses are stale;
# 4: the manifest is a typed Manifest;
# 5: messages as catalogue ids (Diagnostic.message), sign-off fields, body prose (or, on
# another branch, bodies joining CJK line breaks, dates and times on the site's calendar);
# 6: both
FORMAT = 6
MAGIC = b"BULLETIN-CACHE\n"
SHARDS = 64
ITEM_INDEX = "item-index"

Body = tuple[str, str]  # a rendered body's HTML and plain text


def cache_dir(site_root: Path) -> Path:
    """Where the cache of the site at ``site_root`` lives (serve's output lives there too)."""
    return site_root / CACHE_DIR


def _header() -> bytes:
    return MAGIC + f"{FORMAT} {__version__}\n".encode()


def save(path: Path, obj: object) -> None:
    """Write ``obj`` (pickled) with header and checksum, atomically."""
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    atomic_write(path, b"".join((_header(), checksum(payload), payload)))


def load(path: Path) -> Any | None:
    """The object stored at path, or None if missing, foreign, corrupt or truncated."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header = _header()
    if not data.startswith(header) or len(data) < len(header) + 32:
        return None
    digest = data[len(header) : len(header) + 32]
    payload = data[len(header) + 32 :]
    if checksum(payload) != digest:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a payload that does not unpickle is just discarded
        return None


def item_shard(rel: str) -> int:
    """The item-index shard holding a source file's entry."""
    return zlib.crc32(rel.encode("utf-8")) % SHARDS


def shard_of(key: str) -> int:
    """The body shard holding an item key's body."""
    return int(key[:4], 16) % SHARDS


@dataclass(frozen=True)
class ItemEntry:
    """One item file as the last build read it: its stat signature and its parse result
    (the body's HTML and text removed: they are in the body store)."""

    signature: Signature
    result: ReadResult


@dataclass(frozen=True)
class Manifest:
    """What the last successful build of an output recorded (empty: nothing to trust)."""

    input: str = ""  # fingerprint of everything the build read (by stat signatures)
    pages_fp: Mapping[str, str] = field(default_factory=dict)  # output page → fingerprint
    withheld: int = 0
    withheld_fp: str = ""  # of the withheld titles and slugs
    search_fp: str = ""  # what the published search index was made from
    output_sig: str | None = None  # of the output's files; None: not yet recorded
    output_files: tuple[str, ...] | None = None  # the files output_sig covers
    items: int = 0
    pages: int = 0
    drafts_skipped: int = 0
    awaiting_signoff: int = 0
    diagnostics: tuple[Diagnostic, ...] = ()  # the build's warnings


class BodyStore:
    """Rendered bodies by item key; backed by memory and by on-disk shards."""

    def __init__(self, directory: Path | None):
        self.directory = directory
        self.fresh: dict[str, Body] = {}
        self.loaded: dict[int, dict[str, Body]] = {}

    def put(self, key: str, body: Body) -> None:
        self.fresh[key] = body

    def get(self, key: str) -> Body:
        """The body of ``key``; raises ``BodyMissing`` if the store does not have it."""
        if key in self.fresh:
            return self.fresh[key]
        shard = shard_of(key)
        if shard not in self.loaded:
            data = load(self.directory / f"{shard:02d}") if self.directory else None
            self.loaded[shard] = data if isinstance(data, dict) else {}
        try:
            return self.loaded[shard][key]
        except KeyError:
            raise BodyMissing(f"body {key} missing from the cache") from None

    def has(self, key: str) -> bool:
        try:
            self.get(key)
            return True
        except BodyMissing:
            return False

    def flush(self, live_keys: Iterable[str]) -> None:
        """Write shards that gained new bodies, dropping bodies no longer used."""
        if self.directory is None or not self.fresh:
            return
        live = set(live_keys)
        touched: dict[int, dict[str, Body]] = {}
        for key, body in self.fresh.items():
            touched.setdefault(shard_of(key), {})[key] = body
        for shard, bodies in sorted(touched.items()):
            current = self.loaded.get(shard)
            if current is None:
                current = load(self.directory / f"{shard:02d}")
            if isinstance(current, dict) and current:
                current = {**current, **bodies}
            else:
                current = bodies
            kept = {k: v for k, v in current.items() if k in live}
            save(self.directory / f"{shard:02d}", kept)
            self.loaded[shard] = kept
        self.fresh.clear()


@dataclass
class CacheMemory:
    """The cache a long-running process keeps in memory between builds: the item index
    (with the config key it was made for) and the body store."""

    items: tuple[str, dict[str, ItemEntry]] | None = None
    bodies: BodyStore | None = None


class BuildCache:
    """All cache files of one site, for one configuration.

    ``enabled=False``: nothing is read or written (``bulletin check``, ``--no-cache``);
    bodies are kept in memory only. ``memory``: a long-running process's ``CacheMemory``.
    """

    def __init__(
        self, site_root: Path, enabled: bool = True, memory: CacheMemory | None = None
    ) -> None:
        self.root = cache_dir(site_root)
        self.enabled = enabled
        self.memory = memory if enabled else None
        directory = self.root / "bodies" if enabled else None
        if self.memory is not None:
            if self.memory.bodies is None or self.memory.bodies.directory != directory:
                self.memory.bodies = BodyStore(directory)
            self.bodies: BodyStore = self.memory.bodies
        else:
            self.bodies = BodyStore(directory)

    @property
    def search_dir(self) -> Path | None:
        """The search indexer's own cache, if the cache is on."""
        return self.root / "search" if self.enabled else None

    @property
    def templates_dir(self) -> Path | None:
        """Where compiled templates are kept (per bulletin version), if the cache is on."""
        return self.root / f"templates-{__version__}" if self.enabled else None

    def load_items(self, config_key: str) -> dict[str, ItemEntry]:
        """The parsed-item index: from memory, else from its shards on disk.

        A shard that does not verify, or was written for another configuration, is
        simply missing: its files are read and parsed again.
        """
        if not self.enabled:
            return {}
        if self.memory is not None and self.memory.items is not None:
            key, kept = self.memory.items
            if key == config_key:
                return dict(kept)
        entries: dict[str, ItemEntry] = {}
        for n in range(SHARDS):
            data = load(self.root / ITEM_INDEX / f"{n:02d}")
            if isinstance(data, dict) and data.get("config") == config_key:
                part = data.get("entries")
                if isinstance(part, dict):
                    entries.update(part)
        return entries

    def save_items(
        self, config_key: str, entries: dict[str, ItemEntry], dirty: Iterable[str] | None = None
    ) -> None:
        """Write the shards of the item index holding the ``dirty`` paths (all if None)."""
        if not self.enabled:
            return
        shards = set(range(SHARDS)) if dirty is None else {item_shard(rel) for rel in dirty}
        parts: dict[int, dict[str, ItemEntry]] = {n: {} for n in shards}
        for rel, entry in entries.items():
            n = item_shard(rel)
            if n in parts:
                parts[n][rel] = entry
        for n, part in sorted(parts.items()):
            save(self.root / ITEM_INDEX / f"{n:02d}", {"config": config_key, "entries": part})
        self.remember_items(config_key, entries)

    def remember_items(self, config_key: str, entries: dict[str, ItemEntry]) -> None:
        """Keep the item index in memory (a long-running process's next build starts there)."""
        if self.memory is not None:
            self.memory.items = (config_key, dict(entries))

    def load_manifest(self) -> Manifest:
        """The last successful build's record, or an empty one (nothing to trust)."""
        data = load(self.root / "manifest") if self.enabled else None
        return data if isinstance(data, Manifest) else Manifest()

    def save_manifest(self, manifest: Manifest) -> None:
        """Record a successful build (last: it names a build whose cache is complete)."""
        if self.enabled:
            save(self.root / "manifest", manifest)

    def clear_manifest(self) -> None:
        try:
            (self.root / "manifest").unlink()
        except FileNotFoundError:
            pass

    def clear_search(self) -> None:
        """Forget the search indexer's cache (it may describe an index never published)."""
        shutil.rmtree(self.root / "search", ignore_errors=True)
