"""fingerprint: the one hash."""

from __future__ import annotations

from bulletin.fingerprint import checksum, digest, digest_bytes, hasher


def test_digest_separates_its_parts() -> None:
    assert digest("ab", "c") != digest("a", "bc")
    assert digest(1, "x") == digest("1", "x")
    assert len(digest()) == 32


def test_digest_bytes_equals_an_incremental_hasher() -> None:
    h = hasher()
    h.update(b"front matter")
    h.update(b"\0suffix")
    assert digest_bytes(b"front matter", b"\0suffix") == h.hexdigest()
    assert digest_bytes(b"a") != digest_bytes(b"b")


def test_checksum_is_32_bytes() -> None:
    assert len(checksum(b"payload")) == 32 and checksum(b"a") != checksum(b"b")
