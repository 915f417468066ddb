"""The records the search index is made from, and the report of one indexing."""

from __future__ import annotations

from dataclasses import dataclass


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
