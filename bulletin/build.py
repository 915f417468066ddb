"""One build: config → content → model → pages → render → staging → leak scan → swap.

Incremental by construction: parsed items come from the cache when their file is
unchanged, and a page is rendered only when the fingerprint of what it depends on
(its items, templates, config, options) differs from the last successful build.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import multiprocessing
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from . import __version__, checks, content, issues, model, pages, templates
from .cache import BuildCache, BuildSession, ItemEntry, stat_signature
from .config import SiteConfig, load_config
from .diagnostics import BulletinError, Diagnostic
from .documents import DEFERRED_KINDS
from .markdown import RenderedBody
from .output import MARKER, Staging, check_output_dir, leak_pattern, scan_for_leaks

STATIC = Path(__file__).parent / "static"
PARALLEL_MIN = 256
BACKGROUND_WRITE_MIN = 1000  # freshly parsed items whose cache is written by a child
SEARCH_DIR = "search-index"  # below this many files or pages, work in-process


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False
    output: Path | None = None
    today: dt.date | None = None
    write: bool = True  # False: validate only (bulletin check)
    strict: bool = False  # warnings fail the build
    search: bool = True
    cache: bool = True
    jobs: int | None = None  # worker processes; default: CPU count
    # called as progress(stage, done, total) while reading, rendering and indexing
    progress: Callable[[str, int, int], None] | None = field(default=None, compare=False)
    # in-memory state kept between builds by serve and watch
    session: BuildSession | None = field(default=None, compare=False)
    # site-relative paths changed since the session's last build, as a watcher saw them
    # (None: unknown); lets a session rebuild a body-only edit without a full scan
    changed: frozenset[str] | None = field(default=None, compare=False)
    # keep the published search index as it is and leave indexing to finish_session()
    # (serve and watch: pages first, search right after)
    defer_search: bool = False


@dataclass(frozen=True)
class BuildResult:
    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    items: int = 0
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    rendered: int = 0
    withheld: int = 0
    drafts_skipped: int = 0
    seconds: float = 0.0
    output: Path | None = None
    up_to_date: bool = False
    changed_sources: tuple[str, ...] = ()
    written_files: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)
    pending: bool = False  # finish_session() has work left: the search index, the manifest

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]


def today_for(config: SiteConfig, options: BuildOptions) -> dt.date:
    return options.today or config.today or dt.date.today()


def _jobs(options: BuildOptions) -> int:
    return max(1, options.jobs or os.cpu_count() or 1)


@contextmanager
def _fork_pool(
    jobs: int, init: Callable[..., None], args: tuple[Any, ...]
) -> Iterator[ProcessPoolExecutor]:
    """A pool of forked workers. What this process holds (the site model) is frozen out
    of garbage collection meanwhile, so the workers' collections never walk it, nor
    copy its memory pages by touching their GC headers."""
    ctx = multiprocessing.get_context("fork")
    gc.freeze()
    try:
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=ctx, initializer=init, initargs=args
        ) as pool:
            yield pool
    finally:
        gc.unfreeze()


def _run_batches(
    pool: ProcessPoolExecutor | None,
    fn: Callable[[list[Any]], list[Any]],
    work: list[Any],
    jobs: int,
    stage: str,
    progress: Callable[[str, int, int], None] | None,
    singles: int = 0,
) -> list[Any]:
    """fn over work in chunks (in the pool, or here when pool is None), in order; the
    first ``singles`` pieces of work go one per chunk (big ones, handed out first, so no
    worker is left with a long tail while the others idle)."""
    if pool is None:
        chunks = _chunks(work, 1)
    else:
        chunks = [[w] for w in work[:singles]] + _chunks(work[singles:], jobs)
    results = pool.map(fn, chunks) if pool is not None else map(fn, chunks)
    out: list[Any] = []
    for batch in results:
        out.extend(batch)
        if progress is not None:
            progress(stage, len(out), len(work))
    return out


def _chunks(seq: list[Any], n: int) -> list[list[Any]]:
    size = max(1, min(128, len(seq) // (n * 8) or 1))
    return [seq[i : i + size] for i in range(0, len(seq), size)]


# --- reading ------------------------------------------------------------------------------

_WORKER: dict[str, Any] = {}  # set only inside forked worker processes


def _init_reader(config: SiteConfig, forked: bool = False) -> None:
    if forked:
        gc.enable()  # forked from a build that paused it
    _WORKER["config"] = config


Body = tuple[str, str]  # a rendered body's HTML and plain text


def split_body(result: content.ReadResult) -> tuple[content.ReadResult, Body | None]:
    """A parse result without its body's HTML and text (what the item index keeps, and
    all the model needs), and that body (for the body store)."""
    if result.item is None:
        return result, None
    body = result.item.body
    slim = RenderedBody("", "", body.links, body.chars, body.empty_sections)
    return replace(result, item=replace(result.item, body=slim)), (body.html, body.text)


def _read_files(batch: list[tuple[str, str]]) -> list[tuple[content.ReadResult, Body | None]]:
    """Parse files, bodies split off here in the workers, not one by one in the main
    process."""
    config = _WORKER["config"]
    return [split_body(content.read_file(Path(path), rel, config)) for path, rel in batch]


Signature = tuple[int, int, int, int]


@dataclass(frozen=True)
class Scan:
    """Item files found, with their stat signatures (cheap: no file is read)."""

    files: list[tuple[str, str, Signature]]  # (path, site-relative posix path, signature)
    problems: list[Diagnostic]

    @functools.cached_property
    def signatures(self) -> list[tuple[str, Signature]]:
        return [(rel, sig) for _p, rel, sig in self.files]


def _done() -> None:
    return None


@dataclass
class Sources:
    items: list[content.SourceItem]
    problems: list[Diagnostic]
    changed: list[str]
    signatures: list[tuple[str, Signature]]  # every item file, in scan order
    # waits until the cache of what was read is on disk (it may be written in a child)
    cache_written: Callable[[], None] = _done


def scan_sources(config: SiteConfig) -> Scan:
    found, problems = content.find_items(config)
    files = [
        (path, rel, stat_signature(st) if st is not None else (0, 0, 0, 0))
        for path, rel, st in found
    ]
    return Scan(files, problems)


def _session_scan(config: SiteConfig, options: BuildOptions) -> Scan | None:
    """The last build's scan with the watcher's changes applied, when they are only
    modified or deleted item files (a new file or directory needs the real scan)."""
    session, changed = options.session, options.changed
    last = session.last if session is not None else None
    if last is None or changed is None or not last.shortcuts:
        return None
    if any(rel.startswith("content/") and rel not in last.signatures for rel in changed):
        return None
    files = []
    root = str(config.root) + os.sep
    for rel, sig in last.signatures.items():
        path = root + rel
        if rel in changed:
            try:
                st = os.stat(path)
            except OSError:
                continue  # deleted
            if not os.path.isfile(path):
                return None
            sig = stat_signature(st)
        files.append((path, rel, sig))
    return Scan(files, [])


def read_sources(
    config: SiteConfig,
    cache: BuildCache,
    scan: Scan,
    jobs: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> Sources:
    """Every item file, parsed — from the cache when the file is unchanged."""
    config_key = f"{config.fingerprint}:{config.root}:{__version__}"
    old = cache.load_items(config_key)
    entries: dict[str, ItemEntry] = {}
    todo: list[tuple[str, str]] = []
    sig_of: dict[str, Signature] = {}
    for path, rel, sig in scan.files:
        sig_of[rel] = sig
        entry = old.get(rel)
        if entry is not None and entry.signature == sig and sig != (0, 0, 0, 0):
            entries[rel] = entry
        else:
            todo.append((str(path), rel))
    if len(todo) >= PARALLEL_MIN and jobs > 1:
        with _fork_pool(jobs, _init_reader, (config, True)) as pool:
            fresh = _run_batches(pool, _read_files, todo, jobs, "read", progress)
    else:
        _init_reader(config)
        fresh = _run_batches(None, _read_files, todo, jobs, "read", progress)
    for result, body in fresh:
        if body is not None:
            cache.bodies.put(result.item.key, *body)  # type: ignore[union-attr]
        entries[result.path] = ItemEntry(sig_of[result.path], result)
    written: Callable[[], None] = _done
    if fresh or len(entries) != len(old):
        # only the index shards of changed, added or deleted files are rewritten
        dirty = {r.path for r, _body in fresh} | (set(old) - set(entries)) if old else None

        def write_cache() -> None:
            # bodies first: the index must never name a body that is not on disk
            cache.bodies.flush(e.result.item.key for e in entries.values() if e.result.item)
            cache.save_items(config_key, entries, dirty)

        # A big write (a first build: ~160 MB at 10k items) goes on in a forked child
        # while this process builds the model and renders; a session keeps the cache in
        # memory too, so it writes here.
        if len(fresh) >= BACKGROUND_WRITE_MIN and cache.session is None and cache.enabled:
            written = _in_background(write_cache)
        else:
            write_cache()
    elif cache.session is not None:
        cache.session.items = (config_key, entries)
    items: list[content.SourceItem] = []
    problems = list(scan.problems)
    for _path, rel, _sig in scan.files:
        result = entries[rel].result
        problems.extend(result.diagnostics)
        if result.item is not None:
            items.append(result.item)
    return Sources(items, problems, [rel for _p, rel in todo], scan.signatures, written)


def _in_background(work: Callable[[], None]) -> Callable[[], None]:
    """Run ``work`` in a forked child (it sees this process's memory: nothing is pickled
    across) and return a function that waits for it. Inline where forking is unsafe: a
    process with other threads (the child would inherit their locks) or no fork at all.
    The cache files it writes are each atomic and verified, so a child that fails leaves
    at worst entries the next build does not find."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        work()
        return _done
    pid = os.fork()
    if pid == 0:  # the child: no atexit handlers, no stdio flushing, no finally clauses
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    waited = False

    def wait() -> None:
        nonlocal waited
        if not waited:
            waited = True
            os.waitpid(pid, 0)

    return wait


# --- rendering ----------------------------------------------------------------------------


def _init_renderer(state: dict[str, Any]) -> None:
    _WORKER.update(state)
    _WORKER["env"] = templates.make_environment(state["config"], state["bytecode"])


def _render_batch(indices: list[int]) -> list[tuple[str, bool, bool] | Diagnostic]:
    """Render pages by index into the staging dir: (path, written, leaked) each."""
    w = _WORKER
    return [
        _render_page(
            w["plan"][i], w["env"], w["site"], w["today"], w["staging"], w["leak"], w["absent"]
        )
        for i in indices
    ]


def _render_page(
    page: pages.Page,
    env: Any,
    site: model.Site,
    today: dt.date,
    staging_dir: Path,
    leak: Any,
    absent: Callable[[str], bool] | None = None,
) -> tuple[str, bool, bool] | Diagnostic:
    data = page.make_data()
    if data is None:
        context = {"site": site, "today": today, **page.make_context()}
        try:
            data = templates.render(env, page.template, context, site.config).encode("utf-8")
        except templates.TemplateFailure as exc:
            return exc.diagnostic
    target = staging_dir / page.path
    leaked = bool(leak is not None and leak.search(data))
    if absent is not None and absent(page.path):
        # not in the tree the staging copy started from (in a first build none is): no
        # file to compare with. Created exclusively, so a file there after all (it could
        # be a hard link into the live site) is replaced below, never written through.
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(target, "xb") as fh:
                fh.write(data)
            return (page.path, True, leaked)
        except FileExistsError:
            pass
    try:
        same = target.read_bytes() == data
    except OSError:
        same = False
    if not same:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    return (page.path, not same, leaked)


def _fingerprint(*parts: object) -> str:
    """A hash of the parts' str() forms, each followed by a NUL."""
    data = ("\0".join(map(str, parts)) + "\0").encode() if parts else b""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _page_fingerprints(site: model.Site, plan: list[pages.Page], base: str) -> dict[str, str]:
    every = _fingerprint(*(i.meta_key for i in site.items))
    out = {}
    for page in plan:
        deps = []
        for dep in page.deps:
            if dep.startswith(("item:", "meta:")):
                item = site.item(dep[5:])
                if item is None:
                    deps.append("-")
                else:
                    deps.append(item.body_key if dep[0] == "i" else item.meta_key)
            elif dep == "all-items":
                deps.append(every)
            else:
                deps.append(dep)
        out[page.path] = _fingerprint(base, page.kind, page.template, *deps)
    return out


def split_deferred(
    planned: list[tuple[pages.Planner, pages.Page]],
) -> tuple[list[tuple[pages.Planner, pages.Page]], list[pages.Page]]:
    """A session's plan without the pages made after the live ones (PDFs:
    ``documents.DEFERRED_KINDS``), and those pages."""
    live = [(q, p) for q, p in planned if p.kind not in DEFERRED_KINDS]
    return live, [p for _q, p in planned if p.kind in DEFERRED_KINDS]


def deferred_pages(
    site: model.Site, later: list[pages.Page], base: str
) -> list[tuple[pages.Page, str]]:
    """The deferred pages, each with the fingerprint it will have when made."""
    fps = _page_fingerprints(site, later, base)
    return [(page, fps[page.path]) for page in later]


def deferred_fps(
    deferred: list[tuple[pages.Page, str]], manifest: dict[str, Any], kept: set[str]
) -> dict[str, str]:
    """What the manifest records of deferred pages before finish_session() makes them:
    the fingerprint of the file left in place, if any (a page whose recorded fingerprint
    differs from its own is made by finish_session(), or by the next build)."""
    old = manifest.get("pages_fp", {})
    return {
        page.path: old[page.path]
        for page, _fp in deferred
        if page.path in kept and page.path in old
    }


def session_environment(
    session: BuildSession | None, config: SiteConfig, key: str, bytecode: Path | None = None
) -> Any:
    """A Jinja environment; a session keeps one per template set, so its templates
    stay compiled between rebuilds."""
    if session is None:
        return templates.make_environment(config, bytecode)
    if session.env is None or session.env[0] != key:
        session.env = (key, templates.make_environment(config, bytecode))
    return session.env[1]


def bytecode_dir(cache: BuildCache) -> Path | None:
    """Where compiled templates are kept (per bulletin version), if the cache is on."""
    return cache.root / f"templates-{__version__}" if cache.enabled else None


def settings_key(config: SiteConfig, template_fp: str, options: BuildOptions) -> tuple[Any, ...]:
    """What a build's output depends on besides the items, today and the output path:
    one list, shared by the input fingerprint and the session's delta rebuilds."""
    return (
        __version__,
        config.fingerprint,
        template_fp,
        options.drafts,
        options.strict,
        options.search,
    )


def input_fingerprint(
    config: SiteConfig,
    template_fp: str,
    options: BuildOptions,
    today: dt.date,
    output: Path,
    signatures: list[tuple[str, Signature]],
) -> str:
    """Everything a build reads, by stat signature: equal means nothing to do."""
    return _fingerprint(
        *settings_key(config, template_fp, options),
        today,
        output,
        signatures,
        issues.issue_signatures(config),
    )


def load_site(config: SiteConfig, *, drafts: bool = False) -> tuple[model.Site, list[Diagnostic]]:
    """The site model of a config's content, without writing anything (not even the cache)."""
    scan = scan_sources(config)
    cache = BuildCache(config.root, enabled=False)  # bodies are kept in memory only
    sources = read_sources(config, cache, scan)
    documents, issue_problems = issues.read_issue_files(config)
    site, _withheld, problems = model.build_site(
        config, sources.items, drafts=drafts, bodies=cache.bodies.get, documents=documents
    )
    return site, [*sources.problems, *issue_problems, *problems]


# --- the build ----------------------------------------------------------------------------


def build(root: Path, options: BuildOptions | None = None) -> BuildResult:
    """Build the site at ``root``; never raises for bad input, returns diagnostics instead."""
    with _gc_paused():  # rendering runs it again (see _write_site)
        return _build(root, options or BuildOptions())


@contextmanager
def _gc_paused(paused: bool = True) -> Iterator[None]:
    """Pause the cyclic garbage collector for a block (or, ``paused=False``, run it).

    A build allocates objects by the million that live until it ends (parsed items, the
    model, the plan); each collection their allocation triggers walks all of them again,
    which took a third of the time spent loading the item index. They hold little cyclic
    garbage. Rendering, which makes Jinja contexts by the thousand, runs the collector.
    """
    was = gc.isenabled()
    if paused:
        gc.disable()
    else:
        gc.enable()
    try:
        yield
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()


def _build(root: Path, options: BuildOptions) -> BuildResult:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    mark = [started]

    def lap(name: str) -> None:
        now = time.perf_counter()
        timings[name] = round(now - mark[0], 4)
        mark[0] = now

    try:
        config = load_config(root)
    except BulletinError as exc:
        return BuildResult(False, exc.diagnostics)
    output = (options.output or config.output_dir).resolve()
    problems: list[Diagnostic] = []
    problems.extend(check_output_dir(config, output))
    if problems and options.write:
        return BuildResult(False, tuple(problems))
    # `bulletin check` writes nothing, not even the cache
    cache = BuildCache(
        config.root, enabled=options.cache and options.write, session=options.session
    )
    jobs = _jobs(options)
    if options.session is not None and options.changed is not None and options.write:
        from .delta import delta_build

        quick = delta_build(config, output, cache, options, started)
        if quick is not None:
            return quick
    scan = _session_scan(config, options) or scan_sources(config)
    lap("scan-sources")

    today = today_for(config, options)
    template_fp = templates.templates_fingerprint(config)
    input_fp = input_fingerprint(config, template_fp, options, today, output, scan.signatures)
    session = options.session if cache.enabled else None
    if session is not None and session.manifest is not None and session.manifest[0] == output:
        # the session wrote this output itself: its own record is current and trusted
        manifest = dict(session.manifest[1])
    else:
        manifest = cache.load_manifest()
        live = live_output(output, manifest.get("output_files")) if manifest else None
        if manifest and manifest.get("output_sig") != (live.signature if live else ""):
            # the output changed behind our back (a page deleted or edited by hand): trust
            # no page of it; everything is rendered again and compared, and scanned for leaks
            manifest = {}
    if (
        options.write
        and not scan.problems
        and manifest.get("input") == input_fp
        and (output / MARKER).is_file()
        and (session is None or session.last is not None)  # a session needs its model
    ):
        lap("check")
        return BuildResult(
            True,
            tuple(manifest.get("diagnostics", ())),
            items=manifest.get("items", 0),
            pages=manifest.get("pages", 0),
            unchanged=manifest.get("pages", 0),
            withheld=manifest.get("withheld", 0),
            drafts_skipped=manifest.get("drafts_skipped", 0),
            seconds=round(time.perf_counter() - started, 3),
            output=output,
            up_to_date=True,
            timings=timings,
            pending=session is not None and session.last is not None and session.last.pending,
        )

    if session is not None:
        session.last = None  # set again only if this build succeeds
    sources = read_sources(config, cache, scan, jobs, options.progress)
    problems.extend(sources.problems)
    lap("read")
    try:
        return _build_from_sources(
            root,
            options,
            config,
            output,
            cache,
            sources,
            problems,
            manifest,
            input_fp,
            template_fp,
            today,
            jobs,
            started,
            timings,
            lap,
        )
    except LookupError:
        # a body the cache promised is gone: never guess, rebuild without the cache
        sources.cache_written()
        cache.clear_manifest()
        return build(root, replace(options, cache=False))
    finally:
        sources.cache_written()


def _build_from_sources(
    root: Path,
    options: BuildOptions,
    config: SiteConfig,
    output: Path,
    cache: BuildCache,
    sources: Sources,
    problems: list[Diagnostic],
    manifest: dict[str, Any],
    input_fp: str,
    template_fp: str,
    today: dt.date,
    jobs: int,
    started: float,
    timings: dict[str, float],
    lap: Callable[[str], None],
) -> BuildResult:
    documents, issue_problems = issues.read_issue_files(config)
    problems.extend(issue_problems)
    site, withheld, model_problems = model.build_site(
        config,
        sources.items,
        drafts=options.drafts,
        bodies=cache.bodies.get,
        documents=documents,
    )
    problems.extend(model_problems)
    published = {i.slug for i in site.items}
    problems.extend(checks.run_checks([s for s in sources.items if s.slug in published], config))
    lap("model")

    def result(ok: bool, **kw: Any) -> BuildResult:
        return BuildResult(
            ok,
            tuple(problems),
            items=len(site.items),
            withheld=site.withheld_count,
            drafts_skipped=site.drafts_skipped,
            seconds=round(time.perf_counter() - started, 3),
            output=output,
            changed_sources=tuple(sources.changed),
            timings=timings,
            **kw,
        )

    failed = any(d.is_error for d in problems) or (
        options.strict and any(not d.is_error for d in problems)
    )
    if failed or not options.write:
        return result(not failed)

    planned = pages.plan_with_planners(site, today)
    base = _fingerprint(__version__, config.fingerprint, template_fp, options.drafts, today)
    withheld_fp = _fingerprint(withheld.titles, withheld.slugs)
    search_fp = search_fingerprint(site) if options.search else ""
    # only a session with a cache can finish later (finish_session needs what it keeps)
    defer = options.defer_search and options.session is not None and cache.enabled
    index_now = bool(search_fp) and not defer
    every_page = planned
    planned, later = split_deferred(planned) if defer else (planned, [])
    plan = [page for _planner, page in planned]
    fingerprints = _page_fingerprints(site, plan, base)
    deferred = deferred_pages(site, later, base)
    lap("plan")
    outcome = _write_site(
        site,
        plan,
        fingerprints,
        manifest,
        withheld,
        withheld_fp,
        output,
        today,
        jobs,
        options.progress,
        _search_step(site, cache, manifest, search_fp, options.progress) if index_now else None,
        lap,
        keep_search=bool(search_fp) and defer,
        keep=[page.path for page, _fp in deferred],
        bytecode=bytecode_dir(cache),
        make_env=lambda: session_environment(
            options.session, config, template_fp, bytecode_dir(cache)
        ),
    )
    if isinstance(outcome, list):
        problems.extend(outcome)
        # the search cache may now describe an index that was never published
        shutil.rmtree(cache.root / "search", ignore_errors=True)
        return result(False)
    staging, rendered, leak = outcome
    after = None if defer else _signature_after(output, staging)
    new_manifest = {
        "input": input_fp,
        # a deferred page keeps the fingerprint of the file it left in place until
        # finish_session() makes it
        "pages_fp": {**fingerprints, **deferred_fps(deferred, manifest, staging.kept)},
        "withheld": site.withheld_count,
        "withheld_fp": withheld_fp,
        # a deferred index still describes the previous input until finish_session()
        "search_fp": search_fp if index_now else manifest.get("search_fp", ""),
        # a session writes it in finish_session(), after the pages are live
        "output_sig": None if after is None else after.signature,
        # the files whose stats the next build compares, looked up by name (no walk)
        "output_files": None if after is None else sorted(after.files),
        "items": len(site.items),
        "pages": len(plan),
        "drafts_skipped": site.drafts_skipped,
        "diagnostics": [d for d in problems if not d.is_error],
    }
    sources.cache_written()  # the manifest last: it names a build whose cache is complete
    cache.save_manifest(new_manifest)
    pending = (
        new_manifest["search_fp"] != search_fp
        or new_manifest["output_sig"] is None
        or any(new_manifest["pages_fp"].get(page.path) != fp for page, fp in deferred)
    )
    if options.session is not None and cache.enabled:
        from .delta import remember

        remember(
            options.session,
            config=config,
            output=output,
            options=options,
            template_fp=template_fp,
            today=today,
            base=base,
            site=site,
            leak=leak,
            planned=every_page,
            signatures=sources.signatures,
            problems=problems,
            files=set(staging.kept),
            manifest=new_manifest,
            pending=pending,
            deferred=deferred,
        )
    lap("save")
    return result(
        True,
        pages=len(plan),
        written=staging.stats.written,
        unchanged=staging.stats.unchanged,
        removed=staging.stats.removed,
        rendered=rendered,
        written_files=tuple(staging.new_files),
        pending=pending,
    )


def _write_site(
    site: model.Site,
    plan: list[pages.Page],
    fingerprints: dict[str, str],
    manifest: dict[str, Any],
    withheld: model.Withheld,
    withheld_fp: str,
    output: Path,
    today: dt.date,
    jobs: int,
    progress: Callable[[str, int, int], None] | None,
    index_search: Callable[[Path], None] | None,
    lap: Callable[[str], None],
    *,
    keep_search: bool = False,
    keep: Iterable[str] = (),
    make_env: Callable[[], Any] | None = None,
    bytecode: Path | None = None,
) -> list[Diagnostic] | tuple[Staging, int, Any]:
    """Render what changed into a staging copy, scan it, swap it in; the problems, or
    the staging (what it wrote, kept and removed), how many pages were rendered and the
    withheld-text pattern."""
    config = site.config
    old_fps = manifest.get("pages_fp", {})
    # a withheld title that is also public text (a unit's name, a published title) is no
    # evidence of a leak when found in the output: only distinctive titles are searched
    public = "\n".join(
        [config.title]
        + [i.title for i in site.items]
        + [x.name for x in (*site.units, *site.categories, *site.levels)]
    )
    needles = [t for t in withheld.titles if t not in public]
    for slug in withheld.slugs:
        needles += [f"items/{slug}/", f"items/{quote(slug)}/"]
    leak = leak_pattern(needles)
    problems: list[Diagnostic] = []
    with Staging(output) as staging:
        lap("stage")
        todo: list[int] = []
        root = str(staging.path) + os.sep
        for index, page in enumerate(plan):
            if old_fps.get(page.path) == fingerprints[page.path] and os.path.isfile(
                root + page.path
            ):
                staging.keep(page.path)
            else:
                todo.append(index)
        for path in keep:  # deferred pages: the last build's file stays until made again
            if os.path.isfile(root + path):
                staging.keep(path)
        # list and report pages first: each may take as long as a hundred item pages
        heavy = [i for i in todo if plan[i].kind != "item"]
        todo = heavy + [i for i in todo if plan[i].kind == "item"]
        previous = staging.previous
        absent = None if previous is None else (lambda path: path not in previous)
        if len(todo) >= PARALLEL_MIN and jobs > 1:
            state = {"plan": plan, "site": site, "today": today, "config": config}
            state["bytecode"] = bytecode
            state.update(staging=staging.path, leak=leak, absent=absent)
            # workers are forked with the collector running
            with _gc_paused(False), _fork_pool(jobs, _init_renderer, (state,)) as pool:
                outcomes = _run_batches(
                    pool, _render_batch, todo, jobs, "render", progress, singles=len(heavy)
                )
        else:
            env = make_env() if make_env else templates.make_environment(config)

            def render_here(batch: list[int]) -> list[Any]:
                return [
                    _render_page(plan[i], env, site, today, staging.path, leak, absent)
                    for i in batch
                ]

            with _gc_paused(False):
                outcomes = _run_batches(None, render_here, todo, 1, "render", progress)
        leaked_files = []
        for outcome in outcomes:
            if isinstance(outcome, Diagnostic):
                problems.append(outcome)
                continue
            path, written, leaked = outcome
            staging.kept.add(path)
            if written:
                staging.stats.written += 1
                staging.new_files.append(path)
            else:
                staging.stats.unchanged += 1
            if leaked:
                leaked_files.append(path)
        if problems:
            return sorted(set(problems))
        for asset in sorted(STATIC.rglob("*")):
            if asset.is_file():
                staging.write("assets/" + asset.relative_to(STATIC).as_posix(), asset.read_bytes())
        lap("render")
        if index_search is not None:
            apply_search(staging, index_search)
            lap("search")
        elif keep_search:  # published as it is; finish_session() brings it up to date
            staging.kept.update(_file_stats(staging.path, SEARCH_DIR))
        staging.prune()
        fresh = set(staging.new_files)
        kept_old = [p for p in staging.all_files() if p not in fresh]
        scanned = {o[0] for o in outcomes if not isinstance(o, Diagnostic)}
        rescan = manifest.get("withheld_fp") != withheld_fp
        problems = _leaks(
            staging, withheld, leak, leaked_files, scanned, kept_old, rescan, config.root
        )
        if problems:
            return problems
        lap("scan")
        staging.swap()
        lap("swap")
        return staging, len(todo), leak


@dataclass(frozen=True)
class LiveOutput:
    """The output directory as a build found it: its inode and its files' stats."""

    inode: int
    files: dict[str, tuple[int, int, int]]  # posix path in the output → (size, inode, mtime)

    @property
    def signature(self) -> str:
        data = repr(sorted(self.files.items())).encode()  # one C-level repr, not 10k str()s
        return hashlib.blake2b(data, digest_size=16).hexdigest()


def output_signature(output: Path) -> str:
    """Names, sizes, inodes and mtimes of every output file: a page deleted or edited by
    hand since the last build changes it, so the build does not trust a tampered site."""
    live = live_output(output)
    return live.signature if live else ""


def _signature_after(output: Path, staging: Staging) -> LiveOutput:
    """The output after a swap: the files swapped in, looked up by name. (Reusing the
    stats taken before the build would be wrong for a file the build did not rewrite yet
    differs from the live one: deleted or replaced by hand, it was restored from the
    spare tree.)"""
    live = live_output(output, staging.kept)
    return live if live is not None else LiveOutput(0, {})


def live_output(output: Path, known: Iterable[str] | None = None) -> LiveOutput | None:
    """The output's files and their stats (None if it is missing or unreadable): the
    ``known`` files only, each looked up by name (a file deleted by hand is missing from
    the result), or else every file found by walking the tree. Looking up 100,000 names
    costs a tenth of walking 100,000 item directories."""
    try:
        inode = os.stat(output).st_ino
    except OSError:
        return None
    entries: dict[str, tuple[int, int, int]] = {}
    root = str(output) + os.sep
    if known is not None:
        for rel in known:
            try:
                st = os.lstat(root + rel)
            except OSError:
                continue
            entries[rel] = (st.st_size, st.st_ino, st.st_mtime_ns)
        return LiveOutput(inode, entries)
    stack = [""]
    while stack:
        prefix = stack.pop()
        try:
            with os.scandir(root + prefix) as it:
                for entry in it:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(prefix + entry.name + "/")
                    else:
                        st = entry.stat(follow_symlinks=False)
                        entries[prefix + entry.name] = (st.st_size, st.st_ino, st.st_mtime_ns)
        except OSError:
            return None
    return LiveOutput(inode, entries)


def apply_search(staging: Staging, index_search: Callable[[Path], None]) -> None:
    """Run the indexer in the staging dir and record what it changed: files it replaced
    (a new inode: it never writes in place) or added count as written, so the spare tree
    is patched with them and they are scanned for leaks; files it deleted as removed."""
    before = _file_stats(staging.path, SEARCH_DIR)
    index_search(staging.path)
    after = _file_stats(staging.path, SEARCH_DIR)
    staging.kept.difference_update(before)
    staging.kept.update(after)
    staging.new_files.extend(rel for rel, st in after.items() if before.get(rel) != st)
    staging.removed_files.extend(sorted(set(before) - set(after)))


def _file_stats(root: Path, folder: str) -> dict[str, tuple[int, int, int]]:
    """Files below root/folder by path relative to root: (inode, mtime, size)."""
    out = {}
    for dirpath, _dirs, names in os.walk(root / folder):
        for name in names:
            st = os.lstat(os.path.join(dirpath, name))
            rel = os.path.relpath(os.path.join(dirpath, name), root).replace(os.sep, "/")
            out[rel] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return dict(sorted(out.items()))


def search_fingerprint(site: model.Site) -> str:
    """What the search index is made from: its code, the config and every item (its
    adoptions from bulletin issues included: they are in its model ``meta_key``)."""
    return _fingerprint(
        _search_code(), site.config.fingerprint, *(i.body_key + i.meta_key for i in site.items)
    )


def _search_code() -> str:
    """Fingerprint of the search indexer and its client assets (they shape the index)."""
    folder = Path(__file__).parent / "search"
    return _fingerprint(
        *(
            (p.relative_to(folder).as_posix(), hashlib.blake2b(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix in (".py", ".js", ".css", ".json")
        )
    )


def _search_step(
    site: model.Site,
    cache: BuildCache,
    manifest: dict[str, Any],
    search_fp: str,
    progress: Callable[[str, int, int], None] | None,
) -> Callable[[Path], None]:
    """Index every published item into <staging>/search-index/ unless nothing changed."""

    def run(staging_dir: Path) -> None:
        from .search import SearchRecord, write_search_index

        target = staging_dir / SEARCH_DIR
        if not (manifest.get("search_fp") == search_fp and target.is_dir()):
            records = [
                SearchRecord(
                    url=item.url,
                    title=item.title,
                    text=item.text,
                    unit_id=item.unit.id,
                    unit_name=item.unit.name,
                    category_id=item.category.id,
                    category_name=item.category.name,
                    date=item.date.isoformat(),
                    adopted=tuple((a.level.id, a.level.name) for a in item.adoptions),
                )
                for item in site.items
            ]
            search_cache = cache.root / "search" if cache.enabled else None
            if progress is not None:
                progress("search", 0, len(records))
            write_search_index(
                records, staging_dir, language=site.config.language, cache_dir=search_cache
            )

    return run


def _leaks(
    staging: Staging,
    withheld: model.Withheld,
    leak: Any,
    leaked_files: list[str],
    scanned: set[str],
    kept_old: Iterable[str],
    rescan_old: bool,
    root: Path,
) -> list[Diagnostic]:
    """Fail if any output file or file name carries a withheld item's title or slug."""
    problems = []

    def shown(rel: str) -> str:
        """The output file as the user knows it: relative to the site when inside it."""
        path = staging.output / rel
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            return str(path)

    prefixes = tuple(f"items/{slug}/" for slug in withheld.slugs)
    files = list(staging.all_files())
    for rel in files:
        if prefixes and rel.startswith(prefixes):
            problems.append(
                Diagnostic(
                    shown(rel), None, None, "output file name reveals a withheld (classified) item"
                )
            )
    suspects = set(leaked_files)
    if leak is not None:
        # pages rendered now were scanned as they were written; other new files and,
        # when the withheld set changed, every file kept from the last build are scanned here
        others = [f for f in staging.new_files if f not in scanned]
        if rescan_old:
            others += list(kept_old)
        suspects.update(scan_for_leaks(staging.path, others, leak))
    for rel in sorted(suspects):
        problems.append(
            Diagnostic(
                shown(rel),
                None,
                None,
                "output contains the title or address of a withheld (classified) item; "
                "a layout must be leaking it — nothing was published",
            )
        )
    return problems
