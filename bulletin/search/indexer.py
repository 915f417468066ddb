"""Build ``<out>/search-index/``: full builds in a process pool, small edits from the cache.

Item ids are the positions of the records sorted by (date, url): newest-first is id
order reversed, a year is a range of ids, and a new item dated today takes the next id
without moving any other item, so adding or editing one item leaves every other
posting unchanged and the cache can patch just the shards whose tokens changed.

Files (shards and attributes are content-addressed)::

    manifest.json      counts, shard names, filter names, year ranges, version
    s/<h>.bin          postings shards (see encoding.py)
    a-<h>.bin          per-item unit / category / adoption / day columns for the filters
    f/<id>.json        one item: {"u": url, "t": title, "d": date, "x": text}, fetched
                       as f/<id>.json?v=<manifest "fragments"> (a hash of all fragments)
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import marshal
import os
import re
import sys
import tempfile
import time
from array import array
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Executor, Future
from contextlib import ExitStack
from pathlib import Path

from .. import parallel
from .cache import Cache, CacheError, CacheState, content_hash
from .encoding import decode_record, encode_record, encode_shard, shard_of, split_shard
from .output import SyncResult, delete_stale, sync_tree, write_files
from .records import SearchRecord, SearchReport
from .tokenize import index_normalize, item_tokens
from .worker import encode_group, encode_groups, start, tokenize_block, tokenize_blocks

INDEX_DIR = "search-index"
FORMAT = 1
ASSETS = Path(__file__).with_name("assets")
MIN_PARALLEL = 600  # below this, starting worker processes costs more than it saves
MAX_BLOCK = 8000  # items per tokenising task (memory of a worker ~ 40 kB per item)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_CONTENT_ADDRESSED = re.compile(r"s/[0-9a-f]{12}\.bin|a-[0-9a-f]{12}\.bin")


def content_addressed(rel: str) -> bool:
    """Whether the name of an index file is derived from a hash of its bytes."""
    return _CONTENT_ADDRESSED.fullmatch(rel) is not None


def shard_count_for(items: int) -> int:
    """A power of two near items/16 (16..4096): ~10 kB shards for typical bulletins."""
    count = 16
    while count < 4096 and count * 16 < items:
        count *= 2
    return count


def worker_count() -> int:
    env = os.environ.get("BULLETIN_SEARCH_WORKERS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


# --- records ---------------------------------------------------------------------------


def check_records(records: Sequence[SearchRecord]) -> list[SearchRecord]:
    seen: set[str] = set()
    for r in records:
        if not isinstance(r.url, str) or not r.url:
            raise ValueError(f"search record without a URL: {r!r}")
        if r.url in seen:
            raise ValueError(f"two search records share the URL {r.url}")
        seen.add(r.url)
        if not isinstance(r.date, str) or not _DATE.match(r.date):
            raise ValueError(f"search record {r.url}: date {r.date!r} is not YYYY-MM-DD")
        dt.date.fromisoformat(r.date)
        for field_name in ("title", "text", "unit_id", "unit_name", "category_id"):
            if not isinstance(getattr(r, field_name), str):
                raise ValueError(f"search record {r.url}: {field_name} is not a string")
        for pair in r.adopted:
            if len(pair) != 2 or not all(isinstance(x, str) for x in pair):
                raise ValueError(f"search record {r.url}: bad adoption {pair!r}")
    return sorted(records, key=lambda r: (r.date, r.url))


def fragment_bytes(r: SearchRecord) -> bytes:
    doc = {"u": r.url, "t": r.title, "d": r.date, "x": r.text}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- full build: phase 1 tokenises blocks of items, phase 2 encodes groups of shards -----


class ShardBuild:
    """A full build of the shards; with workers, phase 1 runs while the caller goes on.

    Phase 1 tokenises equal blocks of items (each worker the same number of blocks) into
    per-shard-group postings files; phase 2 merges each group's blocks in id order and
    encodes its shards (``worker.py``). The workers are a ``bulletin.parallel`` pool:
    forked, or from a forkserver when this process has other threads. Start it, do other
    work, then call :meth:`finish`.
    """

    def __init__(self, records: Sequence[SearchRecord], shard_count: int, workers: int):
        self.shard_count = shard_count
        self.workers = workers
        n = len(records)
        pairs = [(r.title, r.text) for r in records]
        self._pairs: list[tuple[str, str]] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._stack = ExitStack()
        self._phase1: list[Future[None]] = []
        if workers <= 1 or n < MIN_PARALLEL:
            self._pairs = pairs
            return
        nblocks = -(-max(workers, -(-n // MAX_BLOCK)) // workers) * workers
        size = -(-n // nblocks)
        self.blocks = [(lo, min(n, lo + size)) for lo in range(0, n, size)]
        self.groups = max(workers * 2, shard_count // 128)
        self._tmp = tempfile.TemporaryDirectory(prefix="bulletin-search-")
        tmp = self._tmp.name
        try:
            for b, (lo, hi) in enumerate(self.blocks):
                with open(os.path.join(tmp, f"in-{b}"), "wb") as fh:
                    marshal.dump((lo, pairs[lo:hi]), fh)
            w = min(workers, len(self.blocks))
            self._pool: Executor = self._stack.enter_context(parallel.pool(w, start))
            self._phase1 = [
                self._pool.submit(
                    tokenize_blocks,
                    tmp,
                    shard_count,
                    self.groups,
                    list(range(k, len(self.blocks), w)),
                )
                for k in range(w)
            ]
        except BaseException:
            self.close()
            raise

    def finish(self) -> list[bytes]:
        """Shard bytes, by shard number."""
        if self._pairs is not None:
            was_enabled = gc.isenabled()
            gc.disable()
            try:
                encoded = encode_group(tokenize_block(0, self._pairs, self.shard_count, 1))
            finally:
                if was_enabled:
                    gc.enable()
            return [encoded.get(s, b"") for s in range(self.shard_count)]
        assert self._tmp is not None
        tmp = self._tmp.name
        try:
            for future in self._phase1:
                future.result()
            w = min(self.workers, self.groups)
            phase2 = [
                self._pool.submit(
                    encode_groups, tmp, len(self.blocks), list(range(k, self.groups, w))
                )
                for k in range(w)
            ]
            for future in phase2:
                future.result()
            by_shard: dict[int, bytes] = {}
            for g in range(self.groups):
                with open(os.path.join(tmp, f"out-{g}"), "rb") as fh:
                    by_shard.update(marshal.load(fh))
            return [by_shard.get(s, b"") for s in range(self.shard_count)]
        finally:
            self.close()

    def close(self) -> None:
        """Stop the workers (work not started is cancelled) and remove the temporary files."""
        for future in self._phase1:
            future.cancel()
        self._stack.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def build_shards(records: Sequence[SearchRecord], shard_count: int, workers: int) -> list[bytes]:
    """Shard bytes for all records (already in id order)."""
    return ShardBuild(records, shard_count, workers).finish()


# --- incremental update ----------------------------------------------------------------


def _fragment_tokens(raw: bytes | None) -> tuple[set[str], set[str]]:
    if raw is None:
        return set(), set()
    try:
        doc = json.loads(raw.decode("utf-8"))
        title, text = doc["t"], doc["x"]
        if not isinstance(title, str) or not isinstance(text, str):
            raise TypeError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise CacheError("undecodable cached fragment") from None
    nt = index_normalize(title)
    return item_tokens(nt + "\n" + index_normalize(text)), item_tokens(nt)


def update_shards(
    cache: Cache,
    state: CacheState,
    frags: Sequence[bytes],
    frag_hashes: Sequence[str],
    shard_count: int,
) -> tuple[list[bytes], int] | None:
    """Patch the cached shards for the items whose fragment changed.

    Returns (shards, items tokenized), or None when a full build is the better deal (ids
    moved, e.g. an item inserted in the middle of the date order).
    """
    if state.shard_count != shard_count:
        return None
    n_new, n_old = len(frags), len(state.frag_hashes)
    m = min(n_new, n_old)
    touched = [i for i in range(m) if state.frag_hashes[i] != frag_hashes[i]]
    touched += range(m, max(n_new, n_old))
    if len(touched) > max(64, n_new // 20):
        return None
    shards = [cache.read_shard(h) for h in state.shard_hashes]  # verifies every one
    if not touched:
        return shards, 0
    old_frags = cache.read_fragments(state, [i for i in touched if i < n_old])
    adds: defaultdict[str, set[int]] = defaultdict(set)
    rems: defaultdict[str, set[int]] = defaultdict(set)
    tadds: defaultdict[str, set[int]] = defaultdict(set)
    trems: defaultdict[str, set[int]] = defaultdict(set)
    for i in touched:
        old_all, old_title = _fragment_tokens(old_frags.get(i))
        new_all, new_title = _fragment_tokens(frags[i] if i < n_new else None)
        for tok in old_all - new_all:
            rems[tok].add(i)
        for tok in new_all - old_all:
            adds[tok].add(i)
        for tok in old_title - new_title:
            trems[tok].add(i)
        for tok in new_title - old_title:
            tadds[tok].add(i)
    changed_tokens = set(adds) | set(rems) | set(tadds) | set(trems)
    by_shard: defaultdict[int, list[str]] = defaultdict(list)
    for tok in changed_tokens:
        by_shard[shard_of(tok, shard_count)].append(tok)
    for s, toks in by_shard.items():
        try:
            recs = split_shard(shards[s])
            for tok in toks:
                if tok in recs:
                    got, all_ids, title_ids = decode_record(recs[tok])
                    if got != tok:
                        raise CacheError("shard record names another token")
                else:
                    all_ids, title_ids = [], []
                new_ids = sorted((set(all_ids) - rems[tok]) | adds[tok])
                new_tids = sorted((set(title_ids) - trems[tok]) | tadds[tok])
                if new_ids:
                    recs[tok] = encode_record(tok, new_ids, new_tids)
                else:
                    recs.pop(tok, None)
            shards[s] = encode_shard(recs.items())
        except (ValueError, IndexError, UnicodeDecodeError) as exc:
            raise CacheError(f"undecodable cached shard: {exc}") from None
    return shards, len(touched)


# --- assembling the output -------------------------------------------------------------


def _names(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Distinct ids in order of first appearance; the newest record names each id."""
    names: dict[str, str] = {}
    for ident, name in pairs:
        names[ident] = name
    return list(names.items())


def _column(values: list[int], limit: int) -> tuple[bytes, int]:
    for code, width in (("B", 1), ("H", 2), ("I", 4)):
        if limit < 1 << (8 * width):
            col = array(code, values)
            if col.itemsize != width:  # pragma: no cover - exotic platform
                continue
            if sys.byteorder == "big":  # pragma: no cover
                col.byteswap()
            return col.tobytes(), width
    raise ValueError("too many distinct filter values")


def assemble(
    records: Sequence[SearchRecord],
    frags: Sequence[bytes],
    frag_hashes: Sequence[str],
    shards: Sequence[bytes],
    shard_hashes: Sequence[str],
    language: str,
) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for data, h in zip(shards, shard_hashes, strict=True):
        files[f"s/{h}.bin"] = data
    for i, data in enumerate(frags):
        files[f"f/{i}.json"] = data
    # fragments are named by item id (no id -> name table to fetch first); their URLs carry
    # this version so a browser never mixes a cached fragment with another build's ids
    version = content_hash("".join(frag_hashes).encode("ascii"))

    units = sorted(_names([(r.unit_id, r.unit_name) for r in records]))
    cats = sorted(_names([(r.category_id, r.category_name) for r in records]))
    levels = _names([pair for r in records for pair in r.adopted])
    if len(levels) > 32:
        raise ValueError("more than 32 adoption levels")
    unit_ix = {u: i for i, (u, _) in enumerate(units)}
    cat_ix = {c: i for i, (c, _) in enumerate(cats)}
    level_ix = {lv: i for i, (lv, _) in enumerate(levels)}
    ucol, uw = _column([unit_ix[r.unit_id] for r in records], len(units))
    ccol, cw = _column([cat_ix[r.category_id] for r in records], len(cats))
    masks = [sum(1 << level_ix[lv] for lv in {lv for lv, _ in r.adopted}) for r in records]
    acol, aw = _column(masks, 1 << len(levels))
    # each item's date as days since the first item's (records are in date order): the
    # client's from/to date filter
    day0 = dt.date.fromisoformat(records[0].date) if records else dt.date(1970, 1, 1)
    days = [(dt.date.fromisoformat(r.date) - day0).days for r in records]
    dcol, dw = _column(days, days[-1] + 1 if days else 1)
    attrs = ucol + ccol + acol + dcol
    attrs_name = f"a-{content_hash(attrs)}.bin"
    files[attrs_name] = attrs

    years: list[list[int]] = []
    for i, r in enumerate(records):
        y = int(r.date[:4])
        if years and years[-1][0] == y:
            years[-1][2] = i + 1
        else:
            years.append([y, i, i + 1])

    manifest = {
        "format": FORMAT,
        "lang": language,
        "count": len(records),
        "shardBits": len(shards).bit_length() - 1,
        "shards": "".join(shard_hashes),
        "attrs": attrs_name,
        "widths": [uw, cw, aw, dw],
        "day0": day0.isoformat(),
        "fragments": version,
        "units": [list(u) for u in units],
        "categories": [list(c) for c in cats],
        "levels": [list(lv) for lv in levels],
        "years": years,
    }
    files["manifest.json"] = (
        json.dumps(manifest, ensure_ascii=False, separators=(",", ":")) + "\n"
    ).encode("utf-8")
    for asset in ("search.js", "search.css"):
        files[asset] = (ASSETS / asset).read_bytes()
    return files


# --- entry point -----------------------------------------------------------------------


def write_search_index(
    records: Sequence[SearchRecord],
    out_dir: Path,
    *,
    language: str,
    cache_dir: Path | None = None,
) -> SearchReport:
    """Write ``out_dir/search-index/`` for ``records`` (published item pages only).

    Deterministic: the same records give byte-identical files whatever the cache held.
    With ``cache_dir``, a build after a small edit re-tokenises only the changed items.
    """
    start = time.perf_counter()
    recs = check_records(records)
    n = len(recs)
    shard_count = shard_count_for(n)
    frags = [fragment_bytes(r) for r in recs]
    frag_hashes = [content_hash(f, 16) for f in frags]
    if len(set(frag_hashes)) != n:  # pragma: no cover - 64-bit collision
        raise RuntimeError("fragment hash collision; please report")

    cache = Cache(Path(cache_dir)) if cache_dir is not None else None
    state: CacheState | None = None
    shards: list[bytes] | None = None
    note = ""
    tokenized = n
    if cache is not None:
        try:
            state = cache.load_state()
            patched = update_shards(cache, state, frags, frag_hashes, shard_count)
            if patched is None:
                note = "too many changes for an incremental update"
            else:
                shards, tokenized = patched
        except CacheError as exc:
            note = str(exc) if str(exc) == "no cache yet" else f"ignored ({exc})"
            state = None
    root = Path(out_dir) / INDEX_DIR
    early: SyncResult | None = None
    mode = "full"
    if shards is None:
        job = ShardBuild(recs, shard_count, worker_count())
        try:  # while the workers tokenise: write the item fragments, most of the output
            early = write_files(root, {f"f/{i}.json": data for i, data in enumerate(frags)})
            shards = job.finish()
        finally:
            job.close()
    else:
        mode = "incremental" if tokenized else "unchanged"
    shard_hashes = [content_hash(s) for s in shards]
    if state is not None and state.shard_count == shard_count:
        rewritten = sum(a != b for a, b in zip(shard_hashes, state.shard_hashes, strict=True))
    else:
        rewritten = shard_count

    files = assemble(recs, frags, frag_hashes, shards, shard_hashes, language)
    if early is None:
        result = sync_tree(root, files, content_addressed)
    else:
        rest = {k: v for k, v in files.items() if not k.startswith("f/")}
        late = write_files(root, rest, content_addressed)
        result = SyncResult(
            early.written + late.written,
            early.unchanged + late.unchanged,
            delete_stale(root, files),
            early.bytes_written + late.bytes_written,
            early.total_bytes + late.total_bytes,
        )

    if cache is not None:
        try:
            cache.save(shards, shard_hashes, [r.url for r in recs], frag_hashes, frags, state)
        except OSError as exc:
            note = (note + "; " if note else "") + f"not saved ({exc})"
    return SearchReport(
        items=n,
        files_written=result.written,
        files_deleted=result.deleted,
        files_unchanged=result.unchanged,
        bytes_written=result.bytes_written,
        index_bytes=result.total_bytes,
        seconds=time.perf_counter() - start,
        mode=mode,
        items_tokenized=tokenized,
        shards=shard_count,
        shards_rewritten=rewritten,
        cache_note=note,
    )
