"""The private cache that makes re-indexing after a small edit cheap.

Layout under ``cache_dir``::

    search-state.json      sha256 hex of the rest, a newline, then the state as JSON
    search-shards/<h>.bin  copies of the output shards, named by their content hash
    search-<n>.pack        the item fragments of the last build, concatenated

Nothing read from here is trusted: the state carries a checksum over its body, every
shard is checked against its content hash before use and every fragment slice against
the fragment hash. Any mismatch raises :class:`CacheError` and the caller rebuilds from
scratch. The cache is a pure optimisation: deleting it only costs one full build.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..fsutil import atomic_write

CACHE_FORMAT = 1
_HEX12 = re.compile(r"[0-9a-f]{12}")
_HEX16 = re.compile(r"[0-9a-f]{16}")
STATE = "search-state.json"
SHARDS = "search-shards"


class CacheError(Exception):
    pass


def content_hash(data: bytes, hex_chars: int = 12) -> str:
    return hashlib.sha256(data).hexdigest()[:hex_chars]


@dataclass
class CacheState:
    shard_count: int
    shard_hashes: list[str]
    urls: list[str]
    frag_hashes: list[str]
    offsets: list[int]  # of each item's fragment in the pack
    lengths: list[int]
    pack: str
    pack_size: int
    extra: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> bytes:
        body = {
            "format": CACHE_FORMAT,
            "shard_count": self.shard_count,
            "shard_hashes": self.shard_hashes,
            "urls": self.urls,
            "frag_hashes": self.frag_hashes,
            "offsets": self.offsets,
            "lengths": self.lengths,
            "pack": self.pack,
            "pack_size": self.pack_size,
            "extra": self.extra,
        }
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        data = raw.encode("utf-8")
        return hashlib.sha256(data).hexdigest().encode("ascii") + b"\n" + data


class Cache:
    def __init__(self, root: Path):
        self.root = root

    # --- reading -----------------------------------------------------------------
    def load_state(self) -> CacheState:
        path = self.root / STATE
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise CacheError("no cache yet") from None
        except OSError as exc:
            raise CacheError(f"unreadable state: {exc}") from None
        checksum, _, data = raw.partition(b"\n")
        if hashlib.sha256(data).hexdigest().encode("ascii") != checksum:
            raise CacheError("state checksum mismatch")
        try:
            body = json.loads(data.decode("utf-8"))
            if body["format"] != CACHE_FORMAT:
                raise CacheError("old cache format")
            state = CacheState(
                shard_count=int(body["shard_count"]),
                shard_hashes=[str(h) for h in body["shard_hashes"]],
                urls=[str(u) for u in body["urls"]],
                frag_hashes=[str(h) for h in body["frag_hashes"]],
                offsets=[int(o) for o in body["offsets"]],
                lengths=[int(n) for n in body["lengths"]],
                pack=str(body["pack"]),
                pack_size=int(body["pack_size"]),
                extra=dict(body.get("extra", {})),
            )
        except CacheError:
            raise
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            raise CacheError(f"malformed state: {exc}") from None
        n = len(state.urls)
        if not (
            all(_HEX12.fullmatch(h) for h in state.shard_hashes)
            and all(_HEX16.fullmatch(h) for h in state.frag_hashes)
        ):
            raise CacheError("malformed hashes in state")
        if not (
            len(state.frag_hashes) == len(state.offsets) == len(state.lengths) == n
            and len(state.shard_hashes) == state.shard_count
            and "/" not in state.pack
            and state.pack.startswith("search-")
        ):
            raise CacheError("inconsistent state")
        return state

    def read_shard(self, digest: str) -> bytes:
        try:
            data = (self.root / SHARDS / f"{digest}.bin").read_bytes()
        except OSError:
            raise CacheError(f"missing shard {digest}") from None
        if content_hash(data) != digest:
            raise CacheError(f"corrupt shard {digest}")
        return data

    def read_fragments(self, state: CacheState, ids: list[int]) -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        if not ids:
            return out
        try:
            with open(self.root / state.pack, "rb") as fh:
                for i in sorted(ids):
                    fh.seek(state.offsets[i])
                    data = fh.read(state.lengths[i])
                    if content_hash(data, 16) != state.frag_hashes[i]:
                        raise CacheError(f"corrupt fragment of {state.urls[i]}")
                    out[i] = data
        except OSError as exc:
            raise CacheError(f"unreadable pack: {exc}") from None
        return out

    # --- writing -----------------------------------------------------------------
    def save(
        self,
        shards: list[bytes],
        shard_hashes: list[str],
        urls: list[str],
        frag_hashes: list[str],
        fragments: list[bytes],
        previous: CacheState | None,
    ) -> None:
        """Store the new state. Reuses the old pack by appending when it can."""
        self.root.mkdir(parents=True, exist_ok=True)
        sdir = self.root / SHARDS
        sdir.mkdir(exist_ok=True)
        wanted = set()
        for data, digest in zip(shards, shard_hashes, strict=True):
            wanted.add(f"{digest}.bin")
            path = sdir / f"{digest}.bin"
            try:
                same = path.stat().st_size == len(data) and path.read_bytes() == data
            except OSError:
                same = False
            if not same:
                atomic_write(path, data)

        offsets: list[int] = []
        lengths: list[int] = []
        old_at = {}
        if previous is not None:
            old_at = {
                h: (o, n)
                for h, o, n in zip(
                    previous.frag_hashes, previous.offsets, previous.lengths, strict=True
                )
            }
        live = sum(len(f) for f in fragments)
        reuse = False
        if previous is not None:
            try:
                reuse = (self.root / previous.pack).stat().st_size >= previous.pack_size
            except OSError:
                reuse = False
        if reuse and previous is not None and previous.pack_size > 2 * live + (1 << 20):
            reuse = False  # too much garbage: compact
        if reuse and previous is not None:
            pack = previous.pack
            size = previous.pack_size
            with open(self.root / pack, "r+b") as fh:
                fh.truncate(size)  # drop a torn append from an interrupted build
                fh.seek(size)
                for h, data in zip(frag_hashes, fragments, strict=True):
                    if h in old_at:
                        o, n = old_at[h]
                    else:
                        o, n = size, len(data)
                        fh.write(data)
                        size += n
                        old_at[h] = (o, n)
                    offsets.append(o)
                    lengths.append(n)
        else:
            gen = 0
            if previous is not None:
                try:
                    gen = int(previous.pack.removeprefix("search-").removesuffix(".pack")) + 1
                except ValueError:
                    gen = 0
            pack = f"search-{gen}.pack"
            size = 0
            for data in fragments:
                offsets.append(size)
                lengths.append(len(data))
                size += len(data)
            atomic_write(self.root / pack, b"".join(fragments))
        state = CacheState(
            shard_count=len(shards),
            shard_hashes=shard_hashes,
            urls=urls,
            frag_hashes=frag_hashes,
            offsets=offsets,
            lengths=lengths,
            pack=pack,
            pack_size=size,
        )
        atomic_write(self.root / STATE, state.to_json())
        for path in sdir.iterdir():
            if path.name not in wanted:
                path.unlink(missing_ok=True)
        for path in self.root.glob("search-*.pack"):
            if path.name != pack:
                path.unlink(missing_ok=True)

    def clear(self) -> None:
        (self.root / STATE).unlink(missing_ok=True)
