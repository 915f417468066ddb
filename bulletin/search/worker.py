"""Worker processes of a full index build.

Started by :func:`bulletin.search.indexer.build_shards` as plain ``python -c`` subprocesses
(not ``multiprocessing``: no fork of a possibly multi-threaded build process, and no
re-import of the caller's ``__main__``). Work and results travel through ``marshal``
files in a private temporary directory::

    tokenize <tmp> <shards> <groups> <block>...   in-<b>  -> b<b>-g<g> for every group
    encode   <tmp> <shards> <blocks> <group>...   b*-g<g> -> out-<g> (shard -> bytes)
"""

from __future__ import annotations

import gc
import marshal
import os
import sys


def _load(path: str) -> object:
    with open(path, "rb") as fh:
        return marshal.load(fh)


def _dump(path: str, value: object) -> None:
    tmp = path + ".part"
    with open(tmp, "wb") as fh:
        marshal.dump(value, fh)
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    from .indexer import _encode_group, _tokenize_block

    gc.disable()  # the work creates no cycles; collection passes only cost time
    cmd, tmp, shard_count, n = argv[0], argv[1], int(argv[2]), int(argv[3])
    todo = [int(x) for x in argv[4:]]
    if cmd == "tokenize":
        for b in todo:
            lo, pairs = _load(os.path.join(tmp, f"in-{b}"))  # type: ignore[misc]
            for g, part in enumerate(_tokenize_block(lo, pairs, shard_count, n)):
                _dump(os.path.join(tmp, f"b{b}-g{g}"), part)
        return 0
    if cmd == "encode":
        for g in todo:
            parts = []
            for b in range(n):
                path = os.path.join(tmp, f"b{b}-g{g}")
                parts.append(_load(path))
                os.unlink(path)
            _dump(os.path.join(tmp, f"out-{g}"), _encode_group(parts))  # type: ignore[arg-type]
        return 0
    print(f"unknown worker command {cmd!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
