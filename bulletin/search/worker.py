"""The work of a full index build's worker processes (``bulletin.parallel`` pools).

Phase 1 tokenises blocks of items into per-shard-group postings; phase 2 merges each
group's blocks in id order and encodes its shards. Between them, work and results travel
through ``marshal`` files in a private temporary directory::

    tokenize_blocks   in-<b>  -> b<b>-g<g> for every group
    encode_groups     b*-g<g> -> out-<g> (shard -> bytes)
"""

from __future__ import annotations

import gc
import marshal
import os
import sys
import zlib
from array import array
from collections import defaultdict, deque
from collections.abc import Sequence
from itertools import repeat
from typing import Any

from ..fsutil import atomic_write
from .encoding import encode_record, encode_shard
from .tokenize import index_normalize, item_tokens

_TC = "I" if array("I").itemsize == 4 else "L"
_ISIZE = array(_TC).itemsize


def load(path: str) -> Any:
    with open(path, "rb") as fh:
        return marshal.load(fh)


def dump(path: str, value: Any) -> None:
    atomic_write(path, marshal.dumps(value))


def start() -> None:
    """A worker's start: the work creates no cycles; collection passes only cost time."""
    gc.disable()


Postings = dict[str, bytes]  # token -> ids as a native uint32 array
ShardPart = dict[int, tuple[Postings, Postings]]  # shard -> (all, title)


def tokenize_block(
    lo: int, pairs: Sequence[tuple[str, str]], shard_count: int, groups: int
) -> list[ShardPart]:
    """Postings of items lo.., split by shard and then into ``groups`` shard groups."""
    post: defaultdict[str, list[int]] = defaultdict(list)
    tpost: defaultdict[str, list[int]] = defaultdict(list)
    get, tget, append = post.__getitem__, tpost.__getitem__, list.append
    for k, (title, text) in enumerate(pairs):
        i = lo + k
        nt = index_normalize(title)
        # post[tok].append(i) for every token, without a bytecode loop per token
        deque(map(append, map(get, item_tokens(nt + "\n" + index_normalize(text))), repeat(i)), 0)
        deque(map(append, map(tget, item_tokens(nt)), repeat(i)), 0)
    out: list[ShardPart] = [{} for _ in range(groups)]
    mask = shard_count - 1
    for which, src in ((0, post), (1, tpost)):
        for tok, ids in src.items():
            s = zlib.crc32(tok.encode("utf-8")) & mask
            part = out[s % groups].get(s)
            if part is None:
                part = out[s % groups][s] = ({}, {})
            part[which][tok] = array(_TC, ids).tobytes()
    return out


def _ids(segments: list[bytes]) -> list[int]:
    a = array(_TC)
    a.frombytes(segments[0] if len(segments) == 1 else b"".join(segments))
    return a.tolist()


def encode_group(blocks: Sequence[ShardPart]) -> dict[int, bytes]:
    """Merge the blocks' postings (blocks in id order) and encode their shards."""
    shards = sorted({s for part in blocks for s in part})
    out: dict[int, bytes] = {}
    for s in shards:
        merged: dict[str, list[bytes]] = {}
        tmerged: dict[str, list[bytes]] = {}
        for part in blocks:
            pair = part.get(s)
            if pair is None:
                continue
            for target, src in ((merged, pair[0]), (tmerged, pair[1])):
                for tok, b in src.items():
                    seg = target.get(tok)
                    if seg is None:
                        target[tok] = [b]
                    else:
                        seg.append(b)
        recs = []
        for tok, segs in merged.items():
            tsegs = tmerged.get(tok)
            if tsegs is None and len(segs) == 1 and len(segs[0]) == _ISIZE:  # one item
                ids = [int.from_bytes(segs[0], sys.byteorder)]
                recs.append((tok, encode_record(tok, ids, ())))
            else:
                recs.append((tok, encode_record(tok, _ids(segs), _ids(tsegs) if tsegs else [])))
        out[s] = encode_shard(recs)
    return out


def tokenize_blocks(tmp: str, shard_count: int, groups: int, blocks: list[int]) -> None:
    """Phase 1 for some blocks: ``in-<b>`` → ``b<b>-g<g>`` for every group."""
    for b in blocks:
        lo, pairs = load(os.path.join(tmp, f"in-{b}"))
        for g, part in enumerate(tokenize_block(lo, pairs, shard_count, groups)):
            dump(os.path.join(tmp, f"b{b}-g{g}"), part)


def encode_groups(tmp: str, nblocks: int, groups: list[int]) -> None:
    """Phase 2 for some groups: every block's ``b*-g<g>`` → ``out-<g>``."""
    for g in groups:
        parts = []
        for b in range(nblocks):
            path = os.path.join(tmp, f"b{b}-g{g}")
            parts.append(load(path))
            os.unlink(path)
        dump(os.path.join(tmp, f"out-{g}"), encode_group(parts))
