"""The one hash of the build: BLAKE2b, 128-bit hex digests for fingerprints and keys.

Everything a build compares between runs — an item's key, a page's fingerprint, the
input and output signatures, the template set, the config — is a ``digest`` or
``digest_bytes`` (or a ``hasher`` fed incrementally). Cache files carry a ``checksum``
(the same function, 256 bits) of their payload. The search index names its files by
SHA-256 prefixes: that is part of its file format (``bulletin/search``), not a key.
"""

from __future__ import annotations

import hashlib

DIGEST_SIZE = 16  # bytes: 32 hex characters


def digest(*parts: object) -> str:
    """A hex digest of the parts' ``str()`` forms, each followed by a NUL."""
    data = ("\0".join(map(str, parts)) + "\0").encode() if parts else b""
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).hexdigest()


def digest_bytes(*chunks: bytes) -> str:
    """A hex digest of the chunks, concatenated."""
    h = hashlib.blake2b(digest_size=DIGEST_SIZE)
    for chunk in chunks:
        h.update(chunk)
    return h.hexdigest()


def hasher() -> hashlib.blake2b:
    """An incremental hasher giving the same kind of digest (``update``, ``hexdigest``)."""
    return hashlib.blake2b(digest_size=DIGEST_SIZE)


def checksum(data: bytes) -> bytes:
    """A 32-byte digest of a cache file's payload, stored beside it and verified on load."""
    return hashlib.blake2b(data, digest_size=32).digest()
