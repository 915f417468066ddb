"""A Python reader of ``search-index/`` that answers queries as ``search.js`` does.

Used by the tests and by ``bench/search_bench.py`` to measure recall and precision over
thousands of queries without a browser (the browser test checks the JS agrees on a
sample). Not used by the build.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from .encoding import decode_record, shard_of, split_shard
from .tokenize import normalize, query_keys


@dataclass
class QueryResult:
    ids: list[int]  # in display order
    candidates: int  # after the index lookup and the filters, before the text check
    fragments_read: int = 0
    keys: list[str] = field(default_factory=list)


class SearchIndex:
    def __init__(self, index_dir: Path):
        self.dir = Path(index_dir)
        self.manifest = json.loads((self.dir / "manifest.json").read_text("utf-8"))
        m = self.manifest
        self.count: int = m["count"]
        self.shard_count = 1 << m["shardBits"]
        names = m["shards"]
        self.shard_names = [names[i * 12 : i * 12 + 12] for i in range(self.shard_count)]
        raw = (self.dir / m["attrs"]).read_bytes()
        uw, cw, aw, dw = m["widths"]
        n = self.count

        def col(off: int, w: int) -> list[int]:
            return [int.from_bytes(raw[off + i * w : off + i * w + w], "little") for i in range(n)]

        self.unit = col(0, uw)
        self.cat = col(n * uw, cw)
        self.adopt = col(n * (uw + cw), aw)
        day0 = dt.date.fromisoformat(m["day0"])
        self.date = [day0 + dt.timedelta(days=d) for d in col(n * (uw + cw + aw), dw)]
        self._shards: dict[int, dict[str, bytes]] = {}

    def lookup(self, key: str) -> tuple[list[int], list[int]]:
        s = shard_of(key, self.shard_count)
        if s not in self._shards:
            data = (self.dir / "s" / f"{self.shard_names[s]}.bin").read_bytes()
            self._shards[s] = split_shard(data)
        rec = self._shards[s].get(key)
        if rec is None:
            return [], []
        _, all_ids, title_ids = decode_record(rec)
        return all_ids, title_ids

    def fragment(self, item: int) -> dict[str, str]:
        return json.loads((self.dir / "f" / f"{item}.json").read_text("utf-8"))

    def _filter_ok(
        self,
        i: int,
        unit: str | None,
        cat: str | None,
        year: int | None,
        level: str | None,
        dates: tuple[dt.date | None, dt.date | None] = (None, None),
    ) -> bool:
        m = self.manifest
        if dates[0] is not None and self.date[i] < dates[0]:
            return False
        if dates[1] is not None and self.date[i] > dates[1]:
            return False
        if unit is not None and m["units"][self.unit[i]][0] != unit:
            return False
        if cat is not None and m["categories"][self.cat[i]][0] != cat:
            return False
        if level is not None:
            ix = [lv[0] for lv in m["levels"]]
            if level not in ix or not self.adopt[i] >> ix.index(level) & 1:
                return False
        if year is not None:
            for y, lo, hi in m["years"]:
                if y == year:
                    return lo <= i < hi
            return False
        return True

    def search(
        self,
        query: str,
        *,
        unit: str | None = None,
        category: str | None = None,
        year: int | None = None,
        level: str | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        sort: str = "relevance",
    ) -> QueryResult:
        """Items matching ``query`` and the filters (``date_from``/``date_to`` inclusive)."""
        terms, keys, exact = query_keys(query)
        dates = (date_from, date_to)
        filtered = any(v is not None for v in (unit, category, year, level, *dates))
        if not terms:
            if not filtered:
                return QueryResult([], 0)
            cand = set(range(self.count))
            title: set[int] = set()
        else:
            cand_l: set[int] | None = None
            title_l: set[int] | None = None
            for key in keys:
                a, t = self.lookup(key)
                cand_l = set(a) if cand_l is None else cand_l & set(a)
                title_l = set(t) if title_l is None else title_l & set(t)
            cand, title = cand_l or set(), title_l or set()
        cand = {i for i in cand if self._filter_ok(i, unit, category, year, level, dates)}
        result = QueryResult([], len(cand), keys=keys)
        verified = cand
        if terms and not exact:
            verified = set()
            for i in cand:
                f = self.fragment(i)
                result.fragments_read += 1
                hay = normalize(f["t"]) + "\n" + normalize(f["x"])
                if all(term in hay for term in terms):
                    verified.add(i)
        if sort == "date":
            result.ids = sorted(verified, reverse=True)
        else:
            result.ids = sorted(verified, key=lambda i: (i not in title, -i))
        return result
