"""The build's adapter to the search index (``bulletin/search``): what it is made from
and how it is written into a staged output."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .fingerprint import digest, digest_bytes
from .model import Site
from .parallel import Progress

if TYPE_CHECKING:
    from .search import SearchRecord

SEARCH_DIR = "search-index"  # in the output (search.indexer.INDEX_DIR: checked by a test)
SEARCH_CODE = Path(__file__).parent / "search"


def search_fingerprint(site: Site) -> str:
    """What the search index is made from: its code, the config and every item."""
    return digest(_search_code(), site.config.fingerprint, *(i.body_key for i in site.items))


def _search_code() -> str:
    """Fingerprint of the search indexer and its client assets (they shape the index)."""
    return digest(
        *(
            (p.relative_to(SEARCH_CODE).as_posix(), digest_bytes(p.read_bytes()))
            for p in sorted(SEARCH_CODE.rglob("*"))
            if p.is_file() and p.suffix in (".py", ".js", ".css", ".json")
        )
    )


def search_records(site: Site) -> list[SearchRecord]:
    """One record per published item (the model holds no withheld item)."""
    # imported here, not at the top: a build that indexes nothing (most rebuilds, every
    # unchanged one) does not load the indexer
    from .search import SearchRecord

    return [
        SearchRecord(
            url=item.url,
            title=item.title,
            text=item.text,
            unit_id=item.unit.id,
            unit_name=item.unit.name,
            category_id=item.category.id,
            category_name=item.category.name,
            date=item.date.isoformat(),
            adopted=tuple((a.level.id, a.level.name) for a in item.adoptions),
        )
        for item in site.items
    ]


def index_site(
    site: Site, out_dir: Path, cache_dir: Path | None, progress: Progress | None = None
) -> None:
    """Write ``out_dir/search-index/`` for every published item of ``site``."""
    from .search import write_search_index

    records = search_records(site)
    if progress is not None:
        progress("search", 0, len(records))
    write_search_index(records, out_dir, language=site.config.language, cache_dir=cache_dir)
