"""Full-text search over item pages: a CJK n-gram index of our own and a small JS client.

Pagefind was measured and rejected for Chinese (issue 5): its word segmentation differs
between index and query time, so 报送 found 4 of 892 items and 防汛工作 matched every page
containing 工作. This index is exact by construction:

* every CJK character, overlapping bigram and overlapping trigram of the text is a token
  (never across punctuation); Latin/digit runs are whole lower-cased words;
* a 1-3 character query looks up the one token equal to it; a longer one ANDs its trigrams
  and the client confirms the substring in the text of every result it shows;
* postings live in content-addressed binary shards, chosen by ``crc32(token)``, fetched on
  demand; per-item text fragments are fetched only for the results on screen.

Entry point for the build pipeline: :func:`write_search_index`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SearchRecord", "SearchReport", "write_search_index"]


@dataclass(frozen=True)
class SearchRecord:
    """One published item page. Drafts and withheld items must never be passed in."""

    url: str
    title: str
    text: str
    unit_id: str
    unit_name: str
    category_id: str
    category_name: str
    date: str
    adopted: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SearchReport:
    """What one call of :func:`write_search_index` did."""

    items: int
    files_written: int
    files_deleted: int
    files_unchanged: int
    bytes_written: int
    index_bytes: int
    seconds: float
    mode: str  # "full", "incremental" or "unchanged"
    items_tokenized: int
    shards: int
    shards_rewritten: int
    cache_note: str = ""

    def summary(self) -> str:
        note = f"; cache: {self.cache_note}" if self.cache_note else ""
        return (
            f"search: {self.items} items ({self.mode}, {self.items_tokenized} tokenized), "
            f"{self.files_written} files written, {self.files_deleted} deleted, "
            f"{self.index_bytes / 1e6:.1f} MB, {self.seconds:.2f} s{note}"
        )


from .indexer import write_search_index  # noqa: E402
