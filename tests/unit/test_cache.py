"""cache: verified files, the typed manifest, the item index and body shards."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulletin.cache import BodyStore, BuildCache, CacheMemory, Manifest, load, save
from bulletin.diagnostics import BodyMissing, Diagnostic


def test_saved_objects_verify_or_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "x"
    save(path, {"a": 1})
    assert load(path) == {"a": 1}
    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    assert load(path) is None
    assert load(tmp_path / "missing") is None


def test_the_manifest_round_trips_typed(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path)
    assert cache.load_manifest() == Manifest()
    warning = Diagnostic("content/a.md", None, None, "long", "warning")
    manifest = Manifest(
        input="i", pages_fp={"index.html": "f"}, output_sig="s", diagnostics=(warning,)
    )
    cache.save_manifest(manifest)
    assert BuildCache(tmp_path).load_manifest() == manifest
    cache.clear_manifest()
    assert BuildCache(tmp_path).load_manifest() == Manifest()
    # a manifest of another shape (an older version's dict) is not trusted
    save(tmp_path / ".bulletin-cache" / "manifest", {"input": "i"})
    assert BuildCache(tmp_path).load_manifest() == Manifest()
    assert BuildCache(tmp_path, enabled=False).load_manifest() == Manifest()


def test_bodies_are_kept_by_shard_and_a_missing_one_says_so(tmp_path: Path) -> None:
    store = BodyStore(tmp_path / "bodies")
    store.put("ab" * 16, ("<p>x</p>", "x"))
    store.flush(["ab" * 16])
    fresh = BodyStore(tmp_path / "bodies")
    assert fresh.get("ab" * 16) == ("<p>x</p>", "x")
    with pytest.raises(BodyMissing):
        fresh.get("cd" * 16)
    assert not fresh.has("cd" * 16)


def test_a_long_running_process_keeps_the_cache_in_memory(tmp_path: Path) -> None:
    memory = CacheMemory()
    cache = BuildCache(tmp_path, memory=memory)
    cache.save_items("key", {})
    assert memory.items == ("key", {})
    assert BuildCache(tmp_path, memory=memory).bodies is cache.bodies
    assert BuildCache(tmp_path, enabled=False, memory=memory).memory is None
