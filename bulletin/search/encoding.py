"""Binary formats of the search index (decoded by ``assets/search.js``).

Varints are unsigned LEB128. A *postings list* is a sorted list of item ids, stored as
whichever of two forms is smaller (a tie goes to the gap form):

* gaps: ``varint(len << 1)`` then the varints ``id0, id1-id0-1, id2-id1-1, ...``;
* bitmap: ``varint(len << 1 | 1)`` then ``len`` bytes, bit ``i & 7`` of byte ``i >> 3`` set
  for every id ``i`` (``len = max_id // 8 + 1``).

A *shard* is a sequence of records sorted by the token's UTF-8 bytes::

    varint(len(token_utf8)) token_utf8 varint(df) list(all_ids)
    varint(title_df) [list(title_ids) if title_df]

``all_ids`` are the items whose title or text contains the token; ``title_ids`` the subset
whose title does. The shard of a token is ``crc32(token_utf8) & (shard_count - 1)``.
"""

from __future__ import annotations

import zlib
from collections import deque
from collections.abc import Iterable, Sequence
from itertools import repeat
from operator import sub

_INC = (1).__add__

_BYTE_BITS = [tuple(i for i in range(8) if b >> i & 1) for b in range(256)]


def _varint_slow(n: int) -> bytes:
    if n < 0:
        raise ValueError("varint of a negative number")
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


_VARINTS = [_varint_slow(i) for i in range(1 << 14)]
_SMALL = len(_VARINTS)
_ONE, _ZERO = b"\x01", b"\x00"


def varint(n: int) -> bytes:
    return _VARINTS[n] if 0 <= n < _SMALL else _varint_slow(n)


def read_varint(buf: bytes | memoryview, pos: int) -> tuple[int, int]:
    shift = 0
    value = 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _gap_bytes(ids: Sequence[int]) -> bytes:
    if len(ids) == 1:
        return varint(ids[0])
    gaps = [ids[0]]
    gaps += map(sub, ids[1:], map(_INC, ids[:-1]))  # id[k] - id[k-1] - 1 >= 0
    top = max(gaps)
    if top < 0x80:
        return bytes(gaps)
    if top < _SMALL:
        return b"".join(map(_VARINTS.__getitem__, gaps))
    return b"".join(map(varint, gaps))


def _bitmap_bytes(ids: Sequence[int]) -> bytes:
    nbytes = ids[-1] // 8 + 1
    flags = bytearray(b"0") * (nbytes * 8)
    deque(map(flags.__setitem__, ids, repeat(49)), maxlen=0)  # "1" at each id
    # as a binary numeral, most significant digit first: bit i of the integer is id i
    return int(flags[::-1], 2).to_bytes(nbytes, "little")


def encode_postings(ids: Sequence[int]) -> bytes:
    """Encode a non-empty, strictly increasing list of ids (see module doc)."""
    if not ids:
        raise ValueError("empty postings list")
    bitmap_len = ids[-1] // 8 + 1
    # the gap form takes at least len(ids) bytes; only build it when it can win
    if len(ids) <= bitmap_len:
        gaps = _gap_bytes(ids)
        if len(gaps) <= bitmap_len:
            return varint(len(gaps) << 1) + gaps
    return varint(bitmap_len << 1 | 1) + _bitmap_bytes(ids)


def decode_postings(buf: bytes | memoryview, pos: int) -> tuple[list[int], int]:
    header, pos = read_varint(buf, pos)
    n = header >> 1
    end = pos + n
    if end > len(buf):
        raise ValueError("postings list runs past the end of the shard")
    ids: list[int] = []
    if header & 1:
        for k in range(pos, end):
            b = buf[k]
            if b:
                base = (k - pos) << 3
                ids.extend(base + bit for bit in _BYTE_BITS[b])
        return ids, end
    prev = -1
    while pos < end:
        g, pos = read_varint(buf, pos)
        prev += g + 1
        ids.append(prev)
    if pos != end:
        raise ValueError("gap list overruns its length")
    return ids, end


def shard_of(token: str, shard_count: int) -> int:
    return zlib.crc32(token.encode("utf-8")) & (shard_count - 1)


def encode_record(token: str, all_ids: Sequence[int], title_ids: Sequence[int]) -> bytes:
    tb = token.encode("utf-8")
    if len(all_ids) == 1 and not title_ids:  # most trigrams: one item, not in its title
        v = varint(all_ids[0])
        return b"".join((varint(len(tb)), tb, _ONE, _VARINTS[len(v) << 1], v, _ZERO))
    parts = [varint(len(tb)), tb, varint(len(all_ids)), encode_postings(all_ids)]
    parts.append(varint(len(title_ids)))
    if title_ids:
        parts.append(encode_postings(title_ids))
    return b"".join(parts)


def encode_shard(records: Iterable[tuple[str, bytes]]) -> bytes:
    """Join already-encoded records, sorted by token (code point order = UTF-8 order)."""
    return b"".join(rec for _, rec in sorted(records))


def split_shard(buf: bytes) -> dict[str, bytes]:
    """token -> raw record bytes, without decoding the postings (for incremental edits)."""
    out: dict[str, bytes] = {}
    pos = 0
    mv = memoryview(buf)
    while pos < len(buf):
        start = pos
        tlen, pos = read_varint(mv, pos)
        token = bytes(mv[pos : pos + tlen]).decode("utf-8")
        pos += tlen
        _df, pos = read_varint(mv, pos)
        header, pos = read_varint(mv, pos)
        pos += header >> 1
        tdf, pos = read_varint(mv, pos)
        if tdf:
            header, pos = read_varint(mv, pos)
            pos += header >> 1
        if pos > len(buf):
            raise ValueError("truncated shard record")
        out[token] = bytes(mv[start:pos])
    return out


def decode_record(rec: bytes) -> tuple[str, list[int], list[int]]:
    mv = memoryview(rec)
    tlen, pos = read_varint(mv, 0)
    token = bytes(mv[pos : pos + tlen]).decode("utf-8")
    pos += tlen
    df, pos = read_varint(mv, pos)
    all_ids, pos = decode_postings(mv, pos)
    tdf, pos = read_varint(mv, pos)
    title_ids: list[int] = []
    if tdf:
        title_ids, pos = decode_postings(mv, pos)
    if len(all_ids) != df or len(title_ids) != tdf or pos != len(rec):
        raise ValueError(f"inconsistent record for {token!r}")
    return token, all_ids, title_ids


def decode_shard(buf: bytes) -> dict[str, tuple[list[int], list[int]]]:
    return {tok: decode_record(rec)[1:] for tok, rec in split_shard(buf).items()}  # type: ignore[misc]
