"""sources: scanning and reading item files, from the cache when unchanged."""

from __future__ import annotations

from pathlib import Path

from bulletin.cache import BuildCache
from bulletin.config import load_config
from bulletin.sources import read_sources, scan_sources


def test_unchanged_files_come_from_the_cache(basic_site: Path) -> None:
    config = load_config(basic_site)
    first = read_sources(config, BuildCache(config.root), scan_sources(config))
    assert first.changed == [rel for rel, _sig in first.signatures]
    first.cache_written()
    one = basic_site / first.changed[0]
    one.write_text(one.read_text(encoding="utf-8") + "\n补充。\n", encoding="utf-8")
    again = read_sources(config, BuildCache(config.root), scan_sources(config))
    assert again.changed == [first.changed[0]]
    assert [i.slug for i in again.items] == [i.slug for i in first.items]
    # bodies are split off the parse results: the index keeps no HTML
    assert all(
        e.result.item is None or e.result.item.body.html == "" for e in again.entries.values()
    )


def test_problems_of_unreadable_files_are_kept_with_them(basic_site: Path) -> None:
    bad = basic_site / "content" / "chengguan" / "broken.md"
    bad.write_text("no front matter\n", encoding="utf-8")
    config = load_config(basic_site)
    sources = read_sources(config, BuildCache(config.root, enabled=False), scan_sources(config))
    assert [d.path for d in sources.problems if d.is_error] == ["content/chengguan/broken.md"]
    assert "broken" not in {i.slug for i in sources.items}
