"""indexing: the build's adapter to the search index."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from bulletin.build import load_site
from bulletin.config import load_config
from bulletin.indexing import SEARCH_DIR, index_site, search_fingerprint, search_records


def test_records_are_the_published_items_and_the_index_is_written(
    basic_site: Path, tmp_path: Path
) -> None:
    site, _ = load_site(load_config(basic_site))
    records = search_records(site)
    assert [r.url for r in records] == [i.url for i in site.items]
    index_site(site, tmp_path, None)
    manifest = json.loads((tmp_path / SEARCH_DIR / "manifest.json").read_text("utf-8"))
    assert manifest["count"] == len(site.items)


def test_the_fingerprint_follows_the_items(basic_site: Path) -> None:
    site, _ = load_site(load_config(basic_site))
    fewer = replace(site, items=site.items[1:])
    assert search_fingerprint(site) == search_fingerprint(site)
    assert search_fingerprint(fewer) != search_fingerprint(site)


def test_the_build_and_the_indexer_name_the_same_folder() -> None:
    from bulletin.search.indexer import INDEX_DIR

    assert SEARCH_DIR == INDEX_DIR
