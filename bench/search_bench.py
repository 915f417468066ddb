"""Benchmark of the search index: indexing time/memory, recall/precision, first query in Chromium.

    python bench/search_bench.py                       # 1,000 and 10,000 items
    python bench/search_bench.py --sizes 1000 --repeat 1 --no-browser
    python bench/search_bench.py --json bench/out/search.json

For each size the corpus of ``bench/corpus.py`` (same items and seed as its CLI) is turned
into :class:`SearchRecord` objects with the project's Markdown renderer, then

* indexing: ``write_search_index`` runs ``--repeat`` times in a fresh child process on an
  empty output directory; wall time of the call, CPU time and peak RSS
  (``resource.getrusage``: the child itself and its largest worker) are recorded, then a
  one-item edit is re-indexed from the cache;
* quality, with ``bulletin.search.query`` (the Python twin of ``search.js``) over the written
  files: recall of 2-4 character runs taken from titles, recall and precision of corpus
  words, AND of two words, and "absent combinations" (two words whose concatenation occurs
  in no item) that must return nothing;
* the browser: Debian's Chromium opens ``/search/?q=...`` on a loopback server in a fresh
  context (empty cache) per query; bytes of every response and the time until the first
  page of results is on screen (from navigation start, and from the start of the query
  once the index manifest is loaded) are recorded.

Prints a table of medians and, with ``--json``, writes every figure.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import pickle
import random
import re
import resource
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bulletin.search import SearchRecord, write_search_index  # noqa: E402
from bulletin.search.query import SearchIndex  # noqa: E402
from bulletin.search.tokenize import normalize  # noqa: E402

CHROMIUM = os.environ.get("BULLETIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER_QUERIES = ["报送", "督查", "信息报送", "防汛工作", "乡村振兴", "河长制 督查"]
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
PREFIX = "/bulletin/"


# --- corpus ----------------------------------------------------------------------------


def corpus_records(items: int, seed: int) -> list[SearchRecord]:
    from bench.corpus import CATEGORIES, LEVELS, UNIT_NAME, iter_items

    try:
        from bulletin.markdown import make_parser, render_body

        md = make_parser()

        def plain(body: str, unit: str) -> str:
            return render_body(md, body, unit, PREFIX).text
    except ImportError:  # pragma: no cover - renderer not there: a crude strip

        def plain(body: str, unit: str) -> str:
            return re.sub(r"[#*>|`\-]+", " ", body)

    out = []
    for it in iter_items(items, seed):
        out.append(
            SearchRecord(
                url=f"{PREFIX}items/{quote(it.slug)}/",
                title=it.title,
                text=plain(it.body, it.unit),
                unit_id=it.unit,
                unit_name=UNIT_NAME[it.unit],
                category_id=it.category,
                category_name=CATEGORIES[it.category],
                date=it.date.isoformat(),
                adopted=tuple((lv, LEVELS[lv]) for lv in it.adopted),
            )
        )
    return out


def cached_records(work: Path, items: int, seed: int) -> Path:
    path = work / f"records-{items}-{seed}.pickle"
    if not path.exists():
        t = time.perf_counter()
        recs = corpus_records(items, seed)
        path.write_bytes(pickle.dumps(recs))
        print(f"  corpus: {items} items rendered in {time.perf_counter() - t:.1f} s", flush=True)
    return path


# --- indexing in a child process -------------------------------------------------------


def child_main(records_path: str, out_dir: str, cache_dir: str, edit: bool) -> None:
    recs: list[SearchRecord] = pickle.loads(Path(records_path).read_bytes())
    if edit:  # one item's text changes a little
        k = len(recs) // 2
        recs[k] = replace(recs[k], text=recs[k].text + "\n补充说明：防汛物资已全部到位。")
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    report = write_search_index(
        recs, Path(out_dir), language="zh-CN", cache_dir=Path(cache_dir) if cache_dir else None
    )
    wall = time.perf_counter() - t0
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "seconds": wall,
                "cpu_self": time.process_time() - cpu0,
                "cpu_workers": kids.ru_utime + kids.ru_stime,
                "rss_self_mib": me.ru_maxrss / 1024,
                "rss_worker_max_mib": kids.ru_maxrss / 1024,
                "report": {k: v for k, v in vars(report).items()},
            }
        )
    )


def run_child(records: Path, out: Path, cache: Path | None, edit: bool = False) -> dict:
    args = [sys.executable, __file__, "--child", str(records), str(out), str(cache or "")]
    if edit:
        args.append("--edit")
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure_indexing(records: Path, work: Path, items: int, repeat: int) -> dict:
    runs = []
    for r in range(repeat):
        out = work / f"out-{items}"
        cache = work / f"cache-{items}"
        for d in (out, cache):
            subprocess.run(["rm", "-rf", str(d)], check=True)
        runs.append(run_child(records, out, cache))
        rep = runs[-1]
        print(
            f"  index {items}: run {r + 1}: {rep['seconds']:.2f} s wall, "
            f"cpu {rep['cpu_self']:.1f}+{rep['cpu_workers']:.1f} s, "
            f"rss {rep['rss_self_mib']:.0f} MiB (+ workers ≤ {rep['rss_worker_max_mib']:.0f} MiB)",
            flush=True,
        )
    edit = run_child(records, work / f"out-{items}", work / f"cache-{items}", edit=True)
    back = run_child(records, work / f"out-{items}", work / f"cache-{items}")
    print(
        f"  one-item edit: {edit['seconds']:.2f} s ({edit['report']['mode']}, "
        f"{edit['report']['files_written']} files written); revert {back['seconds']:.2f} s",
        flush=True,
    )
    rep = runs[-1]["report"]
    return {
        "seconds_median": statistics.median(r["seconds"] for r in runs),
        "seconds_runs": [r["seconds"] for r in runs],
        "cpu_seconds_median": statistics.median(r["cpu_self"] + r["cpu_workers"] for r in runs),
        "rss_self_mib_max": max(r["rss_self_mib"] for r in runs),
        "rss_worker_mib_max": max(r["rss_worker_max_mib"] for r in runs),
        "files": rep["files_written"],
        "index_mib": rep["index_bytes"] / 2**20,
        "shards": rep["shards"],
        "edit_seconds": edit["seconds"],
        "edit_mode": edit["report"]["mode"],
        "edit_files_written": edit["report"]["files_written"],
        "revert_seconds": back["seconds"],
    }


# --- recall and precision --------------------------------------------------------------


def vocabulary() -> list[str]:
    from bench import corpus

    words: set[str] = set()
    for name in dir(corpus):
        value = getattr(corpus, name)
        if name.isupper() and isinstance(value, tuple) and value and isinstance(value[0], str):
            words.update(w for w in value if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", w))
    words.update(["报送", "信息报送", "督查", "防汛", "乡村振兴"])
    return sorted(words)


def measure_quality(records: list[SearchRecord], index_dir: Path, seed: int) -> dict:
    index = SearchIndex(index_dir)
    order = sorted(range(len(records)), key=lambda i: (records[i].date, records[i].url))
    recs = [records[i] for i in order]  # id order
    hay = [normalize(r.title) + "\n" + normalize(r.text) for r in recs]
    big = "\n\x00".join(hay)
    rng = random.Random(seed)

    # runs of 2-4 characters from titles
    title_total = title_hit = 0
    for i in rng.sample(range(len(recs)), min(1000, len(recs))):
        runs = [r for r in CJK_RUN.findall(recs[i].title) if len(r) >= 2]
        if not runs:
            continue
        run = rng.choice(runs)
        size = rng.randint(2, min(4, len(run)))
        start = rng.randrange(0, len(run) - size + 1)
        q = run[start : start + size]
        title_total += 1
        title_hit += i in set(index.search(q).ids)

    def truth(*terms: str) -> set[int]:
        return {i for i, h in enumerate(hay) if all(t in h for t in terms)}

    # body words: every item that contains the word
    words = vocabulary()
    sample = rng.sample(words, min(200, len(words)))
    tp = fp = fn = exact = 0
    for w in sample:
        t = truth(w)
        got = set(index.search(w).ids)
        tp += len(got & t)
        fp += len(got - t)
        fn += len(t - got)
        exact += got == t
    # two terms ANDed
    and_exact = and_total = 0
    for _ in range(100):
        a, b = rng.sample(words, 2)
        and_total += 1
        and_exact += set(index.search(f"{a} {b}").ids) == truth(a, b)
    # absent combinations
    absent = absent_empty = with_candidates = fragments = 0
    tries = 0
    while absent < 300 and tries < 20000:
        tries += 1
        q = rng.choice(words) + rng.choice(words)
        if len(q) > 8 or q in big:
            continue
        absent += 1
        res = index.search(q)
        absent_empty += not res.ids
        with_candidates += res.candidates > 0
        fragments += res.fragments_read
    return {
        "title_runs": title_total,
        "title_recall": title_hit / max(1, title_total),
        "words": len(sample),
        "word_recall": tp / max(1, tp + fn),
        "word_precision": tp / max(1, tp + fp),
        "words_exact_sets": exact,
        "and_queries": and_total,
        "and_exact_sets": and_exact,
        "absent_queries": absent,
        "absent_returning_nothing": absent_empty,
        "absent_with_bigram_candidates": with_candidates,
        "absent_fragments_checked": fragments,
    }


# --- the browser -----------------------------------------------------------------------


STUB_BASE = """<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><link rel="icon" href="data:,">
<title>{% block title %}bench{% endblock %}</title></head>
<body><main>{% block content %}{% endblock %}</main>{% block scripts %}{% endblock %}</body></html>
"""


def write_search_page(site: Path) -> None:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.DictLoader({"base.html": STUB_BASE}),
                jinja2.FileSystemLoader(str(ROOT / "bulletin" / "layouts")),
            ]
        ),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
    )
    from bulletin.i18n import client_strings, translate

    env.globals.update(
        url=lambda p="": PREFIX + str(p).lstrip("/"),
        t=lambda k, **kw: translate("zh-CN", k, **kw),
        search_strings=lambda: client_strings("zh-CN"),
        lang="zh-CN",
    )
    (site / "search").mkdir(exist_ok=True)
    (site / "search" / "index.html").write_text(
        env.get_template("search.html").render(), encoding="utf-8"
    )


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def translate_path(self, path: str) -> str:
        if path.startswith(PREFIX):
            path = "/" + path[len(PREFIX) :]
        return super().translate_path(path)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args: object) -> None:
        pass


def _kind(url: str) -> str:
    if "/search-index/" not in url:
        return "page"
    name = url.split("/search-index/", 1)[1]
    for prefix, kind in (("s/", "shards"), ("f/", "fragments"), ("a-", "attrs")):
        if name.startswith(prefix):
            return kind
    return name.split("?")[0]  # manifest.json, search.js, search.css


def _first_query(browser, url: str, typed: str | None) -> dict:
    """One cold page (fresh context: empty cache): load, run the query, collect figures."""
    ctx = browser.new_context()
    page = ctx.new_page()
    sizes: dict[str, int] = {}

    def finished(req) -> None:
        got = req.sizes()
        kind = _kind(req.url)
        sizes[kind] = sizes.get(kind, 0) + got["responseBodySize"] + got["responseHeadersSize"]

    page.on("requestfinished", finished)
    page.goto(url)
    page.wait_for_selector("#bsearch[data-ready]", timeout=60_000)
    if typed is not None:  # the page is ready with an empty query: now type one
        box = page.locator("#bsearch-q")
        box.fill(typed)
        box.press("Enter")
        page.wait_for_function(
            "q => document.getElementById('bsearch').dataset.query === q", arg=typed
        )
    last = page.evaluate("() => window.bulletinSearch.last")
    page.wait_for_timeout(50)  # late 'requestfinished' events
    row = {
        "ms_query": last["ms"],
        "ms_since_navigation": last["sinceNavigation"],
        "total": last["total"],
        "shown": last["shown"],
        "bytes": dict(sorted(sizes.items())),
        "index_bytes": sum(v for k, v in sizes.items() if k != "page"),
        "all_bytes": sum(sizes.values()),
    }
    ctx.close()
    return row


def measure_browser(site: Path, queries: list[str], repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    write_search_page(site)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    rows = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            _first_query(browser, base + "search/?q=" + quote("预热"), None)  # warm Chromium
            for q in queries:
                from_url = [
                    _first_query(browser, base + "search/?q=" + quote(q), None)
                    for _ in range(repeat)
                ]
                typed = [_first_query(browser, base + "search/", q) for _ in range(repeat)]
                med = statistics.median
                rows.append(
                    {
                        "query": q,
                        "results": from_url[0]["total"],
                        "url_ms_since_navigation": med(r["ms_since_navigation"] for r in from_url),
                        "url_ms_query": med(r["ms_query"] for r in from_url),
                        "typed_ms_query": med(r["ms_query"] for r in typed),
                        "index_bytes": from_url[0]["index_bytes"],
                        "all_bytes": from_url[0]["all_bytes"],
                        "bytes": from_url[0]["bytes"],
                    }
                )
                print(
                    f"    {q}: {rows[-1]['results']} results, "
                    f"{rows[-1]['url_ms_since_navigation']:.0f} ms from navigation, "
                    f"typed {rows[-1]['typed_ms_query']:.0f} ms, "
                    f"{rows[-1]['index_bytes'] / 1024:.0f} kB",
                    flush=True,
                )
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    med = statistics.median
    return {
        "queries": rows,
        "median_ms_since_navigation": med(r["url_ms_since_navigation"] for r in rows),
        "median_ms_query_from_url": med(r["url_ms_query"] for r in rows),
        "median_ms_typed_query": med(r["typed_ms_query"] for r in rows),
        "max_ms_typed_query": max(r["typed_ms_query"] for r in rows),
        "median_index_bytes": med(r["index_bytes"] for r in rows),
        "max_index_bytes": max(r["index_bytes"] for r in rows),
        "max_all_bytes": max(r["all_bytes"] for r in rows),
    }


# --- main ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3, help="indexing runs per size")
    ap.add_argument("--skip-index", action="store_true", help="reuse the last output")
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "search")
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--browser-repeat", type=int, default=3, help="cold page loads per query")
    ap.add_argument("--json", type=Path, help="write all figures here")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    for n in args.sizes:
        print(f"== {n} items", flush=True)
        rec_path = cached_records(args.work, n, args.seed)
        res: dict[str, object] = {"items": n, "cpus": len(os.sched_getaffinity(0))}
        if not args.skip_index or not (args.work / f"out-{n}").is_dir():
            res["indexing"] = measure_indexing(rec_path, args.work, n, args.repeat)
        records = pickle.loads(rec_path.read_bytes())
        site = args.work / f"out-{n}"
        res["quality"] = measure_quality(records, site / "search-index", args.seed)
        print("  quality:", json.dumps(res["quality"], ensure_ascii=False), flush=True)
        if not args.no_browser:
            queries = BROWSER_QUERIES + [r.title[2:6] for r in random.Random(2).sample(records, 4)]
            res["browser"] = measure_browser(site, queries, args.browser_repeat)
            b = res["browser"]
            print(
                f"  browser (medians): {b['median_ms_since_navigation']:.0f} ms from navigation to "
                f"results, typed first query {b['median_ms_typed_query']:.0f} ms (max "
                f"{b['max_ms_typed_query']:.0f}), {b['median_index_bytes'] / 1024:.0f} kB of "
                f"index (max {b['max_index_bytes'] / 1024:.0f} kB, page included "
                f"{b['max_all_bytes'] / 1024:.0f} kB)",
                flush=True,
            )
        results[str(n)] = res
    print()
    print(json.dumps(results, ensure_ascii=False, indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2], sys.argv[3], sys.argv[4], "--edit" in sys.argv[5:])
        sys.exit(0)
    sys.exit(main())
