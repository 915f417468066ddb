"""fsutil: atomic writes, stat signatures, UTF-8/GB18030 decoding, file stats."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bulletin.fsutil import NotUTF8, atomic_write, decode_utf8, file_stats, stat_signature


def test_atomic_write_replaces_never_writes_through(tmp_path: Path) -> None:
    """A hard link to the old file (the live site) keeps the old bytes."""
    target = tmp_path / "a" / "b.html"
    atomic_write(target, b"old")
    link = tmp_path / "live.html"
    os.link(target, link)
    atomic_write(target, b"new")
    assert target.read_bytes() == b"new" and link.read_bytes() == b"old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["b.html"]  # no temporary left


def test_atomic_write_leaves_nothing_when_it_fails(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    with pytest.raises(OSError):
        atomic_write(tmp_path / "dir", b"x")  # a directory cannot be replaced by a file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir"]


def test_stat_signature_changes_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"1")
    before = stat_signature(path.stat())
    path.write_bytes(b"12")
    assert stat_signature(path.stat()) != before


def test_decode_utf8_drops_a_bom_and_tells_gbk_apart() -> None:
    assert decode_utf8("\ufeff防汛".encode()) == "防汛"
    with pytest.raises(NotUTF8) as gbk:
        decode_utf8("第一行\n防汛".encode("gb18030"))
    assert gbk.value.line == 1 and "GBK/GB18030" in str(gbk.value)
    with pytest.raises(NotUTF8) as bad:
        decode_utf8(b"ok\nok\n\xff\xfe\xfd")
    assert bad.value.line == 3 and not bad.value.gb18030


def test_file_stats_lists_a_folder_by_path(tmp_path: Path) -> None:
    atomic_write(tmp_path / "s" / "f" / "1.json", b"{}")
    atomic_write(tmp_path / "s" / "m.json", b"[]")
    assert list(file_stats(tmp_path, "s")) == ["s/f/1.json", "s/m.json"]
    assert file_stats(tmp_path, "missing") == {}
