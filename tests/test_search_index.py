"""Unit tests of the search index: tokens, encoding, determinism, output and cache rules."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import tree
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin.search import SearchRecord, SearchReport, indexer, write_search_index
from bulletin.search.cache import STATE, Cache, CacheError
from bulletin.search.encoding import (
    decode_postings,
    decode_record,
    decode_shard,
    encode_postings,
    encode_record,
    encode_shard,
    read_varint,
    shard_of,
    split_shard,
    varint,
)
from bulletin.search.query import SearchIndex
from bulletin.search.tokenize import (
    index_normalize,
    item_tokens,
    normalize,
    query_keys,
    tokens_of,
)

UNITS = {"chengguan": "城关镇", "xinfeng": "新丰镇", "shuili": "区水利局", "yingji": "区应急管理局"}
CATS = {"briefing": "信息简报", "notice": "通知通报", "emergency": "紧急信息"}
LEVELS = {"district": "区委", "city": "市委", "province": "省委"}
WORDS = (
    "防汛 督查 乡村振兴 信息报送 河长制 安全生产 营商环境 应急演练 疫情防控 人居环境 "
    "工作会议 巡河 值班值守 隐患排查 基层党建 项目建设 招商引资 森林防火 垃圾分类 秸秆禁烧"
).split()


def make_records(n: int, seed: int = 1, start_year: int = 2021) -> list[SearchRecord]:
    rng = random.Random(seed)
    recs = []
    for i in range(n):
        unit = rng.choice(sorted(UNITS))
        topic = rng.choice(WORDS)
        body = "。".join(
            f"{UNITS[unit]}{rng.choice(WORDS)}{rng.choice(['扎实推进', '全面完成', '持续加强'])}"
            f"{rng.choice(WORDS)}，共{rng.randint(1, 99)}项"
            for _ in range(rng.randint(3, 12))
        )
        date = f"{start_year + i % 4}-{1 + i % 12:02d}-{1 + (i * 7) % 28:02d}"
        levels = tuple((lv, LEVELS[lv]) for lv in sorted(LEVELS) if rng.random() < 0.2)
        recs.append(
            SearchRecord(
                url=f"/site/items/{date}-{unit}-{i:04d}/",
                title=f"{UNITS[unit]}{topic}工作简报第{i}期",
                text=body + "。",
                unit_id=unit,
                unit_name=UNITS[unit],
                category_id=rng.choice(sorted(CATS)),
                category_name="",
                date=date,
                adopted=levels,
            )
        )
    return [replace(r, category_name=CATS[r.category_id]) for r in recs]


# --- tokenisation ------------------------------------------------------------------------


def test_cjk_unigrams_and_bigrams_never_cross_punctuation() -> None:
    toks = tokens_of("防汛工作，督查")
    assert {"防", "汛", "工", "作", "督", "查"} <= toks
    assert {"防汛", "汛工", "工作", "督查"} <= toks
    assert "作督" not in toks and "作，" not in toks
    assert {"防汛工", "汛工作"} <= toks and "工作督" not in toks
    assert not any(len(t) > 3 and "\u4e00" <= t[0] <= "\u9fff" for t in toks)


def test_words_are_lowercased_whole_and_fullwidth_folds() -> None:
    toks = tokens_of("COVID19疫情 ２０２３年 Ｇ２０峰会 e-mail")
    assert {"covid19", "2023", "g20", "e", "mail", "疫情", "峰会"} <= toks
    assert "covid" not in toks  # whole words, not prefixes
    assert tokens_of("x" * 50) == {"x" * 32}


def test_compatibility_and_kangxi_characters_normalise() -> None:
    # U+F9B8 (compatibility ideograph) and U+2F00 (Kangxi radical one) fold to unified ones
    assert tokens_of("\uf9b8") == {"\u96b8"}
    assert "一" in tokens_of("\u2f00")


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("防汛工作督查一二ABCabc019 ，。、！（）“”《》…—·\n")
            + ["\uff10", "\uff21", "\u3000", "\uf9b8", "\u2f00", "\u00bd", "\u30a2", "\uff71"]
        ),
        max_size=40,
    )
)
def test_fast_index_normalisation_gives_the_same_tokens(text: str) -> None:
    assert item_tokens(index_normalize(text)) == item_tokens(normalize(text))


def test_query_keys() -> None:
    assert query_keys("防汛") == (["防汛"], ["防汛"], True)
    assert query_keys("防") == (["防"], ["防"], True)
    assert query_keys("防汛工") == (["防汛工"], ["防汛工"], True)
    assert query_keys("防汛工作") == (["防汛工作"], ["防汛工", "汛工作"], False)
    assert query_keys("防汛、督查 防汛") == (["防汛", "督查"], ["防汛", "督查"], True)
    assert query_keys("2023年") == (["2023年"], ["2023", "年"], False)
    assert query_keys("ＣＯＶＩＤ") == (["covid"], ["covid"], True)
    assert query_keys(" ，。 ") == ([], [], True)
    terms, keys, exact = query_keys("城关镇乡村振兴信息报送工作会议纪要")
    assert len(keys) == 8 and keys[0] == "城关镇" and keys[-1] == "会议纪要"[1:] and not exact


# --- encoding ----------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=200_000), min_size=1, max_size=400))
def test_postings_round_trip(ids: set[int]) -> None:
    lst = sorted(ids)
    data = b"xx" + encode_postings(lst)
    got, end = decode_postings(data, 2)
    assert got == lst and end == len(data)


def test_postings_pick_the_smaller_form() -> None:
    dense = list(range(0, 1000, 2))  # half of all ids: a bitmap is 4x smaller
    header, pos = read_varint(encode_postings(dense), 0)
    assert header & 1 and header >> 1 == 125 and len(encode_postings(dense)) == pos + 125
    sparse = [5, 900, 100_000]
    assert encode_postings(sparse) == varint(len(b"\x05" + varint(894) + varint(99_099)) << 1) + (
        b"\x05" + varint(894) + varint(99_099)
    )
    with pytest.raises(ValueError):
        encode_postings([])


def test_shard_records_round_trip() -> None:
    recs = [("防汛", [1, 2, 3, 900], [2]), ("a", [7], []), ("𠀀𠀁", list(range(500)), [0, 499])]
    shard = encode_shard((tok, encode_record(tok, a, t)) for tok, a, t in recs)
    decoded = decode_shard(shard)
    assert decoded == {tok: (a, t) for tok, a, t in recs}
    assert list(split_shard(shard)) == sorted(t for t, _, _ in recs)  # code point order
    assert decode_record(split_shard(shard)["a"]) == ("a", [7], [])
    assert 0 <= shard_of("防汛", 256) < 256


# --- the index: queries ------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> list[SearchRecord]:
    return make_records(300)


@pytest.fixture(scope="module")
def built(corpus: list[SearchRecord], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("idx")
    write_search_index(corpus, out, language="zh-CN")
    return out


def _truth(corpus: list[SearchRecord], *terms: str) -> set[str]:
    return {
        r.url
        for r in corpus
        if all(normalize(t) in normalize(r.title) + "\n" + normalize(r.text) for t in terms)
    }


def _urls(index: SearchIndex, ids: list[int]) -> list[str]:
    return [index.fragment(i)["u"] for i in ids]


def test_recall_and_precision_of_substrings(corpus: list[SearchRecord], built: Path) -> None:
    index = SearchIndex(built / "search-index")
    rng = random.Random(7)
    for r in rng.sample(corpus, 40):
        for size in (2, 3, 4):
            start = rng.randrange(0, len(r.title) - size)
            q = r.title[start : start + size]
            if not q.strip() or any(not ("\u4e00" <= c <= "\u9fff") for c in q):
                continue
            got = set(_urls(index, index.search(q).ids))
            assert got == _truth(corpus, q), q
    for w in WORDS:
        assert set(_urls(index, index.search(w).ids)) == _truth(corpus, w), w


def test_absent_combination_returns_nothing(corpus: list[SearchRecord], built: Path) -> None:
    index = SearchIndex(built / "search-index")
    hay = "\n".join(r.title + "\n" + r.text for r in corpus)
    checked = 0
    for a in WORDS:
        for b in WORDS:
            q = a + b
            if a != b and q not in hay:
                assert index.search(q).ids == [], q
                checked += 1
    assert checked > 100


def test_multi_term_and_filters(corpus: list[SearchRecord], built: Path) -> None:
    index = SearchIndex(built / "search-index")
    got = set(_urls(index, index.search("防汛 督查").ids))
    assert got == _truth(corpus, "防汛", "督查") and got
    res = index.search("防汛", unit="chengguan", year=2022)
    urls = _urls(index, res.ids)
    assert urls and all("chengguan" in u and "/2022-" in u for u in urls)
    assert set(urls) == {
        r.url
        for r in corpus
        if r.url in _truth(corpus, "防汛")
        and r.unit_id == "chengguan"
        and r.date.startswith("2022")
    }
    city = set(_urls(index, index.search("", level="city").ids))
    assert city == {r.url for r in corpus if ("city", "市委") in r.adopted}


def test_date_range_filter(corpus: list[SearchRecord], built: Path) -> None:
    """Each item's day is in the attribute table: from/to (both included) select by date."""
    index = SearchIndex(built / "search-index")
    manifest = index.manifest
    assert len(manifest["widths"]) == 4 and manifest["day0"] == min(r.date for r in corpus)
    dates = sorted(r.date for r in corpus)
    lo, hi = (dt.date.fromisoformat(dates[len(dates) * k // 5]) for k in (1, 3))
    got = set(_urls(index, index.search("", date_from=lo, date_to=hi).ids))
    want = {r.url for r in corpus if lo.isoformat() <= r.date <= hi.isoformat()}
    assert got == want and got
    day = dates[len(dates) // 2]
    one = dt.date.fromisoformat(day)
    same = set(_urls(index, index.search("", date_from=one, date_to=one).ids))
    assert same == {r.url for r in corpus if r.date == day}
    flood = set(_urls(index, index.search("防汛", date_from=lo).ids))
    assert flood == {u for u in _truth(corpus, "防汛") if u.split("/")[3] >= lo.isoformat()}


def test_title_matches_rank_first_then_newest(corpus: list[SearchRecord], built: Path) -> None:
    index = SearchIndex(built / "search-index")
    ids = index.search("河长制").ids
    frags = [index.fragment(i) for i in ids]
    in_title = [("河长制" in f["t"]) for f in frags]
    assert in_title == sorted(in_title, reverse=True) and any(in_title)
    by_date = index.search("河长制", sort="date").ids
    dates = [index.fragment(i)["d"] for i in by_date]
    assert dates == sorted(dates, reverse=True)


# --- determinism and the output directory ------------------------------------------------


def test_deterministic_and_order_independent(corpus: list[SearchRecord], tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    write_search_index(corpus, a, language="zh-CN")
    shuffled = corpus[:]
    random.Random(3).shuffle(shuffled)
    write_search_index(shuffled, b, language="zh-CN")
    assert tree(a) == tree(b)


def test_parallel_build_equals_in_process_build(
    corpus: list[SearchRecord], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recs = indexer.check_records(corpus)
    serial = indexer.build_shards(recs, 64, 1)
    monkeypatch.setattr(indexer, "MIN_PARALLEL", 10)
    monkeypatch.setattr(indexer, "MAX_BLOCK", 70)  # several blocks per worker
    parallel = indexer.build_shards(recs, 64, 2)
    assert parallel == serial


def test_layout_and_manifest(corpus: list[SearchRecord], built: Path) -> None:
    root = built / "search-index"
    files = tree(root)
    manifest = json.loads(files["manifest.json"])
    assert manifest["count"] == len(corpus) and manifest["lang"] == "zh-CN"
    assert {"search.js", "search.css", manifest["attrs"]} <= set(files)
    assert sum(1 for f in files if f.startswith("f/")) == len(corpus)
    assert len(manifest["shards"]) == 12 << manifest["shardBits"]
    assert [u[1] for u in manifest["units"]] == [UNITS[k] for k in sorted(UNITS)]
    assert all(not f.endswith(".tmp") for f in files)
    years = manifest["years"]
    assert years[0][1] == 0 and years[-1][2] == len(corpus)


def test_unchanged_files_are_not_rewritten(corpus: list[SearchRecord], tmp_path: Path) -> None:
    write_search_index(corpus, tmp_path, language="zh-CN")
    root = tmp_path / "search-index"
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}
    report = write_search_index(corpus, tmp_path, language="zh-CN")
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}
    assert report.files_written == 0 and report.files_deleted == 0
    assert before == after


def test_hard_linked_previous_output_is_never_written_in_place(
    corpus: list[SearchRecord], tmp_path: Path
) -> None:
    live, staging = tmp_path / "live", tmp_path / "staging"
    write_search_index(corpus, live, language="zh-CN")
    for p in (live / "search-index").rglob("*"):  # staging = hard links of the live site
        target = staging / p.relative_to(live)
        if p.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(p, target)
    live_before = tree(live)
    edited = corpus[:]
    edited[5] = replace(edited[5], title="城关镇防汛抢险纪实", text="连夜转移群众。")
    report = write_search_index(edited, staging, language="en")
    assert report.files_written > 0
    assert tree(live) == live_before  # the live site's inodes kept their bytes
    fresh = tmp_path / "fresh"
    write_search_index(edited, fresh, language="en")
    assert tree(staging) == tree(fresh)


def test_stale_files_are_deleted(corpus: list[SearchRecord], tmp_path: Path) -> None:
    write_search_index(corpus, tmp_path, language="zh-CN")
    junk = tmp_path / "search-index" / "old" / "x.bin"
    junk.parent.mkdir()
    junk.write_bytes(b"stale")
    report = write_search_index(corpus[:200], tmp_path, language="zh-CN")
    fresh = tmp_path / "fresh"
    write_search_index(corpus[:200], fresh, language="zh-CN")
    assert tree(tmp_path / "search-index") == tree(fresh / "search-index")
    assert report.files_deleted >= 100 and not junk.parent.exists()


def test_empty_and_invalid_records(tmp_path: Path) -> None:
    report = write_search_index([], tmp_path, language="zh-CN")
    assert isinstance(report, SearchReport) and report.items == 0
    manifest = json.loads((tmp_path / "search-index" / "manifest.json").read_text("utf-8"))
    assert manifest["count"] == 0
    rec = make_records(2)
    with pytest.raises(ValueError, match="share the URL"):
        write_search_index([rec[0], replace(rec[1], url=rec[0].url)], tmp_path, language="zh-CN")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        write_search_index([replace(rec[0], date="2023-4-1")], tmp_path, language="zh-CN")


def test_only_passed_records_are_indexed(tmp_path: Path) -> None:
    """Drafts and classified items never reach the indexer, so no trace of them exists."""
    recs = make_records(30)
    secret = replace(
        recs[0], url="/site/items/secret/", title="机密：某绝密会议纪要", text="绝密内容"
    )
    write_search_index(recs, tmp_path, language="zh-CN")
    blob = b"".join(tree(tmp_path).values())
    assert "绝密".encode() not in blob and b"secret" not in blob
    assert secret.title.encode() not in blob


# --- the cache: incremental updates and corruption ---------------------------------------


def _build(recs: list[SearchRecord], out: Path, cache: Path) -> SearchReport:
    return write_search_index(recs, out, language="zh-CN", cache_dir=cache)


def _fresh(recs: list[SearchRecord], tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / f"fresh-{random.random()}"
    write_search_index(recs, out, language="zh-CN")
    return tree(out)


def test_one_item_edit_reindexes_one_item(tmp_path: Path) -> None:
    recs = make_records(600)
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = _build(recs, out, cache)
    assert first.mode == "full" and first.items_tokenized == 600
    same = _build(recs, out, cache)
    assert same.mode == "unchanged" and same.items_tokenized == 0 and same.files_written == 0

    ordered = indexer.check_records(recs)
    victim = ordered[300]
    edited = [
        replace(r, text=r.text + "新增防汛督查内容。") if r.url == victim.url else r for r in recs
    ]
    report = _build(edited, out, cache)
    assert report.mode == "incremental" and report.items_tokenized == 1
    assert report.shards_rewritten <= 24 < report.shards  # ~20 new tokens, 64 shards
    # manifest, the item's fragment and fragment-map chunk, a few shards, stale ones gone
    assert report.files_written <= report.shards_rewritten + 3
    assert tree(out) == _fresh(edited, tmp_path)


def test_new_newest_item_and_removal_are_incremental(tmp_path: Path) -> None:
    recs = make_records(400)
    out, cache = tmp_path / "out", tmp_path / "cache"
    _build(recs, out, cache)
    newest = replace(recs[0], url="/site/items/new/", date="2030-01-01", title="新丰镇防汛快报")
    added = recs + [newest]
    report = _build(added, out, cache)
    assert report.mode == "incremental" and report.items_tokenized == 1
    assert tree(out) == _fresh(added, tmp_path)
    report = _build(recs, out, cache)  # and remove it again
    assert report.mode == "incremental" and report.items_tokenized == 1
    assert tree(out) == _fresh(recs, tmp_path)
    # an item dated in the middle moves every later id: a full build, still correct
    middle = replace(recs[0], url="/site/items/mid/", date="2022-06-15")
    report = _build(recs + [middle], out, cache)
    assert report.mode == "full" and "too many" in report.cache_note
    assert tree(out) == _fresh(recs + [middle], tmp_path)


def _corrupt_state(cache: Path) -> None:
    raw = (cache / STATE).read_bytes()
    (cache / STATE).write_bytes(raw.replace(b'"urls":["', b'"urls":["x', 1))


def _corrupt_shard(cache: Path) -> None:
    p = sorted((cache / "search-shards").iterdir(), key=lambda p: -p.stat().st_size)[0]
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0xFF
    p.write_bytes(bytes(data))


def _truncate_pack(cache: Path) -> None:
    p = next(cache.glob("search-*.pack"))
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])


def _garbage_state(cache: Path) -> None:
    (cache / STATE).write_bytes(b"\x00\xffnot json")


def _checksum_ok_but_nonsense(cache: Path) -> None:
    import hashlib

    body = json.loads((cache / STATE).read_bytes().partition(b"\n")[2])
    body["offsets"] = body["offsets"][:-1]
    raw = json.dumps(body).encode()
    (cache / STATE).write_bytes(hashlib.sha256(raw).hexdigest().encode() + b"\n" + raw)


@pytest.mark.parametrize(
    "damage",
    [_corrupt_state, _corrupt_shard, _truncate_pack, _garbage_state, _checksum_ok_but_nonsense],
)
def test_corrupt_cache_is_detected_and_ignored(tmp_path: Path, damage) -> None:
    recs = make_records(300)
    out, cache = tmp_path / "out", tmp_path / "cache"
    _build(recs, out, cache)
    damage(cache)
    ordered = indexer.check_records(recs)
    edited = [
        replace(r, title=r.title + "（续报）") if r.url == ordered[10].url else r for r in recs
    ]
    report = _build(edited, out, cache)
    if damage is _truncate_pack:
        # the pack only serves edited items' old text; the truncated half may not be needed
        assert report.mode in ("full", "incremental")
    else:
        assert report.mode == "full" and report.cache_note.startswith("ignored")
    assert tree(out) == _fresh(edited, tmp_path)
    again = _build(edited, out, cache)  # the cache was rewritten and is usable again
    assert again.mode == "unchanged"


def test_cache_reader_rejects_tampered_fragment(tmp_path: Path) -> None:
    recs = make_records(50)
    out, cache = tmp_path / "out", tmp_path / "cache"
    _build(recs, out, cache)
    state = Cache(cache).load_state()
    pack = cache / state.pack
    data = bytearray(pack.read_bytes())
    data[state.offsets[3] + 5] ^= 0x01
    pack.write_bytes(bytes(data))
    with pytest.raises(CacheError, match="corrupt fragment"):
        Cache(cache).read_fragments(state, [3])


def test_shard_count_grows_with_the_site() -> None:
    assert indexer.shard_count_for(0) == 16
    assert indexer.shard_count_for(1_000) == 64
    assert indexer.shard_count_for(10_000) == 1024
    assert indexer.shard_count_for(100_000) == 4096


def broken_tokenizer(*args: object) -> None:
    """A worker task that fails (module level: a forkserver's worker imports it)."""
    raise RuntimeError("tokenizer failed")


def test_a_failing_worker_fails_the_build(
    corpus: list[SearchRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexer, "MIN_PARALLEL", 10)
    monkeypatch.setattr(indexer, "tokenize_blocks", broken_tokenizer)
    with pytest.raises(RuntimeError, match="tokenizer failed"):
        indexer.build_shards(indexer.check_records(corpus), 64, 2)


def test_client_constants_match_the_indexer() -> None:
    import re

    from bulletin.search import tokenize

    js = (indexer.ASSETS / "search.js").read_text("utf-8")

    def const(name: str) -> int:
        m = re.search(rf"var {name} = (\d+);", js)
        assert m, name
        return int(m.group(1))

    assert const("FORMAT") == indexer.FORMAT
    assert const("WORD_MAX") == tokenize.WORD_MAX
    assert const("MAX_RUN_KEYS") == tokenize.MAX_RUN_KEYS
    cjk = re.search(r'var CJK =\s*"([^"]+)"\s*\+\s*"([^"]+)";', js)
    assert cjk
    source = (cjk.group(1) + cjk.group(2)).replace("\\\\", "\\")  # the JS string's escapes
    ranges = re.sub(
        r"\\u\{([0-9a-f]+)\}|\\u([0-9a-f]{4})",
        lambda m: chr(int(m.group(1) or m.group(2), 16)),
        source,
    )
    assert ranges == tokenize.CJK_RANGES
