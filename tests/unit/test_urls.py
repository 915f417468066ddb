"""urls: where each kind of page lives, and the file that serves it."""

from __future__ import annotations

from bulletin import urls


def test_item_urls_encode_only_what_needs_it() -> None:
    assert urls.item_url("/", "2026-04-flood") == "/items/2026-04-flood/"
    assert urls.item_url("/b/", "防汛") == "/b/items/%E9%98%B2%E6%B1%9B/"
    assert urls.item_dir("防汛") == "items/防汛/"


def test_group_and_section_urls() -> None:
    assert urls.unit_url("/", "chengguan") == "/units/chengguan/"
    assert urls.category_url("/b/", "briefing") == "/b/categories/briefing/"
    assert urls.level_url("/", "city") == "/adopted/city/"
    assert urls.section_url("/b/", "stats", 2026) == "/b/stats/2026/"


def test_out_path_and_feed_path() -> None:
    assert urls.out_path("/b/", "/b/") == "index.html"
    assert urls.out_path("/b/items/%E9%98%B2/", "/b/") == "items/防/index.html"
    assert urls.out_path("/b/stats/2026.json", "/b/") == "stats/2026.json"
    assert urls.feed_path("/b/units/x/", "/b/") == "units/x/feed.xml"
