"""Reading benchmark: ``content.read_file`` over a generated corpus, in one process.

    python bench/read_bench.py [--items 2000] [--repeat 3] [--site DIR]

Generates a deterministic corpus with bench/corpus.py (into a temporary directory unless
``--site`` names one), then reads every item file with ``bulletin.content.read_file``
(decode, split, compose and validate the front matter, render the body), ``--repeat``
times, in this process (no worker pool, no cache). Prints the median total in seconds and
per item in milliseconds, and the same for the front matter alone (``read_item`` of each
file with its body cut off, so Markdown costs nothing): the part the YAML reader decides.
Times are the process's CPU time (``time.process_time``): on a machine shared with other
work, wall time varies far more than the work done.

To compare two versions, run it with ``PYTHONPATH`` pointing at the other copy of the
package (the repository's own copy comes after it on ``sys.path``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.append(str(HERE.parent))  # after PYTHONPATH: another copy of bulletin can be timed

from corpus import generate  # noqa: E402

from bulletin import content  # noqa: E402
from bulletin.config import load_config  # noqa: E402


def front_matter_only(data: bytes) -> bytes:
    """The file up to and including its closing "---" line: no body to render."""
    end = data.find(b"\n---", 4)
    return data if end < 0 else data[: end + 5]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", type=int, default=2000, help="items to generate (default 2000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs; the median is printed")
    ap.add_argument("--site", type=Path, help="use (or generate into) this site directory")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or Path(tmp) / "site"
        if not (site / "site.toml").is_file():
            generate(site, items=args.items)
        config = load_config(site)
        files, problems = content.discover(config)
        assert not problems, problems
        heads = [(front_matter_only(path.read_bytes()), rel) for path, rel in files]

        whole, fronts = [], []
        for _ in range(args.repeat):
            start = time.process_time()
            for path, rel in files:
                result = content.read_file(path, rel, config)
                assert result.item is not None, [d.format() for d in result.diagnostics]
            whole.append(time.process_time() - start)
            start = time.process_time()
            for data, rel in heads:
                content.read_item(data, rel, config)
            fronts.append(time.process_time() - start)

    n = len(files)
    print(f"bulletin from {Path(content.__file__).parent}")
    for label, times in (("read_file", whole), ("front matter only", fronts)):
        median = statistics.median(times)
        runs = ", ".join(f"{t:.3f}" for t in times)
        print(
            f"{label:18} {n} items: {median:.3f} s median ({runs}); {median / n * 1000:.3f} ms/item"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
