"""The persistent build cache in ``<site>/.bulletin-cache/``.

Never trusted blindly: every file carries a magic header, the format version, the
bulletin version and a checksum of its payload; anything that does not verify is
ignored (and rebuilt), never used. Wrong output from a cache is the worst bug this
project can have, so keys include everything an entry was computed from.

- ``item-index/NN``: per source file, its stat signature and parsed ``SourceItem``
  without its rendered body, in 64 shards by path (loaded every build; a one-file edit
  rewrites one shard);
- ``bodies/NN``: rendered bodies (HTML and plain text) in 64 shards, loaded on demand;
- ``manifest``: the last successful build — its input fingerprint and, per output
  file, the fingerprint of what it was rendered from.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__

CACHE_DIR = ".bulletin-cache"
FORMAT = 4  # 3: front matter read from YAML nodes (text as typed); 4: bodies join CJK line
# breaks, dates and times on the site's calendar: older parses are stale
MAGIC = b"BULLETIN-CACHE\n"
SHARDS = 64


def _header() -> bytes:
    return MAGIC + f"{FORMAT} {__version__}\n".encode()


def save(path: Path, obj: Any) -> None:
    """Write obj with header and checksum, atomically."""
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    digest = hashlib.blake2b(payload, digest_size=32).digest()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(_header())
        fh.write(digest)
        fh.write(payload)
    os.replace(tmp, path)


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
    if hashlib.blake2b(payload, digest_size=32).digest() != digest:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a payload that does not unpickle is just discarded
        return None


def stat_signature(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


ITEM_INDEX = "item-index"


def item_shard(rel: str) -> int:
    return zlib.crc32(rel.encode("utf-8")) % SHARDS


def shard_of(key: str) -> int:
    return int(key[:4], 16) % SHARDS


@dataclass(frozen=True)
class ItemEntry:
    signature: tuple[int, int, int, int]
    result: Any  # content.ReadResult with the body's html and text removed


class BodyStore:
    """Rendered bodies by key; backed by memory and by on-disk shards."""

    def __init__(self, directory: Path | None):
        self.directory = directory
        self.fresh: dict[str, tuple[str, str]] = {}
        self.loaded: dict[int, dict[str, tuple[str, str]]] = {}

    def put(self, key: str, html: str, text: str) -> None:
        self.fresh[key] = (html, text)

    def get(self, key: str) -> tuple[str, str]:
        if key in self.fresh:
            return self.fresh[key]
        shard = shard_of(key)
        if shard not in self.loaded:
            data = load(self.directory / f"{shard:02d}") if self.directory else None
            self.loaded[shard] = data if isinstance(data, dict) else {}
        try:
            return self.loaded[shard][key]
        except KeyError:
            raise LookupError(f"body {key} missing from the cache") from None

    def has(self, key: str) -> bool:
        try:
            self.get(key)
            return True
        except LookupError:
            return False

    def flush(self, live_keys: Iterable[str]) -> None:
        """Write shards that gained new bodies, dropping bodies no longer used."""
        if self.directory is None or not self.fresh:
            return
        live = set(live_keys)
        touched: dict[int, dict[str, tuple[str, str]]] = {}
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


class BuildSession:
    """What a long-running process (serve, watch) keeps in memory between its builds:
    the parsed-item index and the loaded body shards, so a one-item rebuild does not
    unpickle them from disk again. The disk cache stays the source of truth."""

    def __init__(self) -> None:
        self.items: tuple[str, dict[str, ItemEntry]] | None = None
        self.bodies: BodyStore | None = None
        # (output dir, manifest) of the build now live there, as this session swapped it in
        self.manifest: tuple[Path, dict[str, Any]] | None = None
        # what the last successful build knew (a delta.LastBuild), for body-only rebuilds;
        # None after a failed build, so the next one is a full build
        self.last: Any = None
        self.env: tuple[str, Any] | None = None  # a Jinja environment and its key


class BuildCache:
    """All cache files of one site, for one configuration."""

    def __init__(self, site_root: Path, enabled: bool = True, session: BuildSession | None = None):
        self.root = site_root / CACHE_DIR
        self.enabled = enabled
        self.session = session if enabled else None
        directory = self.root / "bodies" if enabled else None
        if self.session is not None:
            if self.session.bodies is None or self.session.bodies.directory != directory:
                self.session.bodies = BodyStore(directory)
            self.bodies = self.session.bodies
        else:
            self.bodies = BodyStore(directory)

    def load_items(self, config_key: str) -> dict[str, ItemEntry]:
        """The parsed-item index: from the session, else from its shards on disk.

        A shard that does not verify, or was written for another configuration, is
        simply missing: its files are read and parsed again.
        """
        if not self.enabled:
            return {}
        if self.session is not None and self.session.items is not None:
            key, entries = self.session.items
            if key == config_key:
                return dict(entries)
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
        if self.session is not None:
            self.session.items = (config_key, dict(entries))

    def load_manifest(self) -> dict[str, Any]:
        data = load(self.root / "manifest") if self.enabled else None
        return data if isinstance(data, dict) else {}

    def save_manifest(self, manifest: dict[str, Any]) -> None:
        if self.enabled:
            save(self.root / "manifest", manifest)

    def clear_manifest(self) -> None:
        try:
            (self.root / "manifest").unlink()
        except FileNotFoundError:
            pass
