"""One build: context → what is dirty → the one executor → the record of what was built.

``build()`` decides what to publish, then hands it to ``publish.publish`` (render, stage,
check confidentiality, swap, index search):

- a session (serve, watch) told which files changed may narrow a body edit to the pages
  showing those bodies (``session.narrow``);
- otherwise the full pipeline: scan → read (parallel, cached) → model → checks → plan →
  fingerprints; pages whose fingerprint is unchanged are kept as they are;
- if nothing the build reads changed and the output is as the last build left it, it
  stops before reading any file.

Then it records the manifest (and, in a session, what the session needs for the next
change). A session defers the search index and slow pages (PDFs): ``finish_session``
publishes them afterwards, through the same executor.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from . import checks, content, model, parallel, session, templates
from .cache import BuildCache, Manifest
from .clock import Clock, site_today
from .confidential import policy
from .config import SiteConfig, load_config
from .context import BuildContext
from .diagnostics import BodyMissing, BulletinError, Diagnostic
from .indexing import index_site, search_fingerprint
from .output import MARKER, check_output_dir, live_output
from .plan import pages
from .plan.page import fingerprints
from .publish import Work, publish
from .session import BuildSession
from .sources import Sources, read_sources, scan_sources, update_sources


@dataclass(frozen=True)
class BuildOptions:
    """How to build: what the command line (or serve, watch) asked for."""

    drafts: bool = False
    output: Path | None = None
    today: dt.date | None = None
    # "now" for "today" when neither ``today`` nor site.toml fixes it (clock.Clock:
    # seconds since the epoch); None: the system clock
    clock: Clock | None = field(default=None, compare=False)
    write: bool = True  # False: validate only (bulletin check)
    strict: bool = False  # warnings fail the build
    search: bool = True
    cache: bool = True
    jobs: int | None = None  # worker processes; default: CPU count
    # called as progress(stage, done, total) while reading, rendering and indexing
    progress: parallel.Progress | None = field(default=None, compare=False)
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
    """What a build did; ``ok`` False means nothing was published (see ``errors``)."""

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
    awaiting_signoff: int = 0  # published items not yet signed off ([rules] require_signoff)
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


class Timer:
    """Wall time of a build and of its stages (``lap(name)`` ends a stage)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.timings: dict[str, float] = {}
        self._mark = self.started

    def lap(self, name: str) -> None:
        """End the stage ``name`` (its wall time, in seconds, goes to ``timings``)."""
        now = time.perf_counter()
        self.timings[name] = round(now - self._mark, 4)
        self._mark = now

    @property
    def seconds(self) -> float:
        return round(time.perf_counter() - self.started, 3)


def today_for(config: SiteConfig, options: BuildOptions) -> dt.date:
    """The day a build with these options counts as today: --today, else site.toml
    ``today``, else today in the site's time zone (``clock.site_today``)."""
    return site_today(config, options.today, options.clock)


def load_sources(config: SiteConfig) -> tuple[list[content.SourceItem], list[Diagnostic]]:
    """Every valid item file of the site, parsed (drafts, withheld and pending ones too),
    and the problems of the others; nothing is written (``bulletin review``)."""
    sources = read_sources(config, BuildCache(config.root, enabled=False), scan_sources(config))
    return sources.items, list(sources.problems)


def load_site(config: SiteConfig, *, drafts: bool = False) -> tuple[model.Site, list[Diagnostic]]:
    """The site model of a config's content, without writing anything (not even the cache)."""
    cache = BuildCache(config.root, enabled=False)  # bodies are kept in memory only
    sources = read_sources(config, cache, scan_sources(config))
    site, _withheld, problems = model.build_site(
        config, sources.items, drafts=drafts, bodies=cache.bodies.get, documents=sources.documents
    )
    return site, [*sources.problems, *problems]


def build(root: Path, options: BuildOptions | None = None) -> BuildResult:
    """Build the site at ``root``; never raises for bad input, returns diagnostics instead.

    A body missing from the cache (``BodyMissing``) starts the build again without the
    cache, once; any other exception is a bug and propagates.
    """
    options = options or BuildOptions()
    with parallel.gc_paused():  # rendering runs it again (see publish)
        try:
            return _build(root, options)
        except BodyMissing:
            # a body the cache promised is gone: never guess, rebuild without the cache
            return _build(root, replace(options, cache=False))


def _context(config: SiteConfig, options: BuildOptions, output: Path) -> BuildContext:
    enabled = options.cache and options.write  # `bulletin check` writes nothing, not even the cache
    memory = options.session.cache if options.session is not None else None
    return BuildContext(
        config=config,
        output=output,
        today=today_for(config, options),
        template_fp=templates.templates_fingerprint(config),
        cache=BuildCache(config.root, enabled=enabled, memory=memory),
        jobs=parallel.default_jobs(options.jobs),
        drafts=options.drafts,
        strict=options.strict,
        search=options.search,
        write=options.write,
        defer_search=options.defer_search,
        progress=options.progress,
        site_layouts=templates.has_site_layouts(config),
    )


def _session(ctx: BuildContext, options: BuildOptions) -> BuildSession | None:
    """The session a build may use: only with a cache (it keeps the cache in memory)."""
    return options.session if ctx.cache.enabled else None


def _environment(ctx: BuildContext, sess: BuildSession | None) -> Callable[[], jinja2.Environment]:
    if sess is not None:
        return lambda: sess.environment(ctx)
    return lambda: templates.make_environment(ctx.config, ctx.cache.templates_dir)


def _build(root: Path, options: BuildOptions) -> BuildResult:
    timer = Timer()
    try:
        config = load_config(root)
    except BulletinError as exc:
        return BuildResult(False, exc.diagnostics)
    output = (options.output or config.output_dir).resolve()
    problems: list[Diagnostic] = list(check_output_dir(config, output))
    if problems and options.write:
        return BuildResult(False, tuple(problems))
    ctx = _context(config, options, output)
    sess = _session(ctx, options)
    if sess is not None and options.changed is not None and ctx.write:
        narrowed = session.narrow(sess, ctx, options.changed)
        if narrowed is not None:
            quick = _publish_narrowed(ctx, sess, narrowed, timer)
            if quick is not None:
                return quick
    scan = session.scan(sess, options.changed, config.root) or scan_sources(config)
    timer.lap("scan-sources")

    input_fp = ctx.input_fingerprint(scan.inputs)
    manifest = _trusted_manifest(ctx, sess)
    if (
        ctx.write
        and not scan.problems
        and manifest.input == input_fp
        and (output / MARKER).is_file()
        and (sess is None or sess.last is not None)  # a session needs its model
    ):
        timer.lap("check")
        return BuildResult(
            True,
            manifest.diagnostics,
            items=manifest.items,
            pages=manifest.pages,
            unchanged=manifest.pages,
            withheld=manifest.withheld,
            drafts_skipped=manifest.drafts_skipped,
            awaiting_signoff=manifest.awaiting_signoff,
            seconds=timer.seconds,
            output=output,
            up_to_date=True,
            timings=timer.timings,
            pending=sess is not None and sess.last is not None and sess.last.pending,
        )

    if sess is not None:
        sess.forget()  # remembered again only if this build succeeds
    sources = read_sources(config, ctx.cache, scan, ctx.jobs, ctx.progress)
    problems.extend(sources.problems)
    timer.lap("read")
    try:
        return _publish_all(ctx, sess, sources, problems, manifest, input_fp, timer)
    except BodyMissing:
        sources.cache_written()
        ctx.cache.clear_manifest()  # the next build trusts nothing of this one
        raise
    finally:
        sources.cache_written()


def _trusted_manifest(ctx: BuildContext, sess: BuildSession | None) -> Manifest:
    """The last build's record of the output, if the output is still as it left it."""
    if sess is not None:
        own = sess.manifest_for(ctx.output)
        if own is not None:
            return own  # the session wrote this output itself: its record is current
    manifest = ctx.cache.load_manifest()
    if manifest.output_sig is None:
        return Manifest()  # nothing recorded, or a session's build not yet finished
    live = live_output(ctx.output, manifest.output_files)
    if manifest.output_sig != (live.signature if live else ""):
        # the output changed behind our back (a page deleted or edited by hand): trust
        # no page of it; everything is rendered again and compared, and scanned for leaks
        return Manifest()
    return manifest


def _publish_all(
    ctx: BuildContext,
    sess: BuildSession | None,
    sources: Sources,
    problems: list[Diagnostic],
    manifest: Manifest,
    input_fp: str,
    timer: Timer,
) -> BuildResult:
    """The full pipeline from parsed sources: model, checks, plan, publish, record."""
    site, withheld, model_problems = model.build_site(
        ctx.config,
        sources.items,
        drafts=ctx.drafts,
        bodies=ctx.cache.bodies.get,
        documents=sources.documents,
    )
    problems.extend(model_problems)
    published = {i.slug for i in site.items}
    ready = [s for s in sources.items if s.slug in published]
    others = checks.unpublished(sources.items, published)
    problems.extend(checks.run_checks(ready, ctx.config, ctx.today, others))
    timer.lap("model")

    def result(ok: bool, **kw: object) -> BuildResult:
        return BuildResult(
            ok,
            tuple(problems),
            items=len(site.items),
            withheld=site.withheld_count,
            drafts_skipped=site.drafts_skipped,
            awaiting_signoff=site.pending_count,
            seconds=timer.seconds,
            output=ctx.output,
            changed_sources=tuple(sources.changed),
            timings=timer.timings,
            **kw,  # type: ignore[arg-type]
        )

    failed = any(d.is_error for d in problems) or (
        ctx.strict and any(not d.is_error for d in problems)
    )
    if failed or not ctx.write:
        return result(not failed)

    planned = pages.plan_with_planners(site, ctx.today)
    plan = [page for _planner, page in planned]
    leaks = policy(site, withheld)
    search_fp = search_fingerprint(site) if ctx.search else ""
    # only a session with a cache can finish later (finish_session needs what it keeps);
    # and never when the withheld set changed: the index kept until then could show an
    # item that is withheld now (the leak scan would refuse the build, again and again)
    defer = (
        ctx.defer_search
        and sess is not None
        and (manifest.withheld_fp == leaks.fingerprint or not (withheld.titles or withheld.slugs))
    )
    index_now = bool(search_fp) and not defer
    # a session makes slow pages (PDFs) after the live ones, in finish_session()
    plan, later = session.split_deferred(plan) if ctx.defer_search and sess else (plan, [])
    deferred = tuple(zip(later, fingerprints(site, later, ctx.page_base).values(), strict=True))
    work = Work(
        site=site,
        pages=plan,
        fingerprints=fingerprints(site, plan, ctx.page_base, ctx.dep_values(site)),
        old_fingerprints=manifest.pages_fp,
        policy=leaks,
        rescan=manifest.withheld_fp != leaks.fingerprint,
        index=_indexer(ctx, site, manifest, search_fp) if index_now else None,
        keep_search=bool(search_fp) and defer,
        defer=tuple(page.path for page in later),
    )
    timer.lap("plan")
    done = publish(ctx, work, _environment(ctx, sess), timer.lap)
    if isinstance(done, list):
        problems.extend(done)
        ctx.cache.clear_search()  # it may now describe an index that was never published
        return result(False)
    new_manifest = Manifest(
        input=input_fp,
        pages_fp={**work.fingerprints, **session.kept(deferred, manifest, done.files)},
        withheld=site.withheld_count,
        withheld_fp=leaks.fingerprint,
        # a deferred index still describes the previous input until finish_session()
        search_fp=search_fp if index_now else manifest.search_fp,
        items=len(site.items),
        pages=len(plan),
        drafts_skipped=site.drafts_skipped,
        awaiting_signoff=site.pending_count,
        diagnostics=tuple(d for d in problems if not d.is_error),
    )
    # a session records the output's signature in finish_session(), after the search
    # and the deferred pages
    new_manifest = new_manifest if defer or later else _signed(ctx, new_manifest, done.files)
    sources.cache_written()  # the manifest last: it names a build whose cache is complete
    ctx.cache.save_manifest(new_manifest)
    pending = new_manifest.search_fp != search_fp or new_manifest.output_sig is None
    if sess is not None:
        docs = tuple(sources.document_files)  # issues and circular notes, as scanned
        built = session.Built(
            site,
            withheld,
            leaks,
            planned,
            sources.signatures,
            sources.entries,
            problems,
            docs,
            deferred,
            sources.documents,
        )
        session.remember(sess, ctx, built, done.files, new_manifest, pending)
    timer.lap("save")
    return result(
        True,
        pages=len(plan),
        written=done.stats.written,
        unchanged=done.stats.unchanged,
        removed=done.stats.removed,
        rendered=done.rendered,
        written_files=done.written,
        pending=pending,
    )


def _signed(ctx: BuildContext, manifest: Manifest, files: frozenset[str]) -> Manifest:
    """``manifest`` with the signature of the output holding ``files`` (as a publish left
    it), looked up by name (the next build compares their stats, without a walk)."""
    live = live_output(ctx.output, files)
    return replace(
        manifest,
        output_sig=live.signature if live is not None else "",
        output_files=tuple(sorted(live.files if live is not None else ())),
    )


def _indexer(
    ctx: BuildContext, site: model.Site, manifest: Manifest, search_fp: str
) -> Callable[[Path], None]:
    """Index every published item into <staging>/search-index/ unless nothing changed."""

    def run(staging_dir: Path) -> None:
        if manifest.search_fp == search_fp and (staging_dir / "search-index").is_dir():
            return
        index_site(site, staging_dir, ctx.cache.search_dir, ctx.progress)

    return run


def _publish_narrowed(
    ctx: BuildContext, sess: BuildSession, narrowed: session.Narrowed, timer: Timer
) -> BuildResult | None:
    """A session's partial rebuild: the pages a few body edits made dirty. None if it
    failed: the full build runs and reports the problems the usual way."""
    last = sess.last
    assert last is not None
    timer.lap("read")
    # the cache first: bodies, then the index entries of the changed files
    assert sess.cache.items is not None
    update_sources(ctx.config, ctx.cache, sess.cache.items[1], narrowed.fresh)
    work = Work(
        site=narrowed.site,
        pages=narrowed.pages,
        fingerprints=narrowed.fingerprints,
        old_fingerprints=last.manifest.pages_fp,
        policy=narrowed.policy,
        rescan=False,
        carry=last.files,
        assets=False,
    )
    timer.lap("plan")
    done = publish(ctx, work, _environment(ctx, sess), timer.lap)
    if isinstance(done, list):
        return None
    all_fps = {**last.manifest.pages_fp, **narrowed.fingerprints}
    documents = [(rel, sig) for _path, rel, sig in last.documents]
    manifest = replace(
        last.manifest,
        input=ctx.input_fingerprint([*narrowed.signatures.items(), *documents]),
        pages_fp=all_fps,
        output_sig=None,  # written by finish_session()
        output_files=None,
        diagnostics=tuple(narrowed.problems),
    )
    session.advance(sess, narrowed, manifest)
    site = narrowed.site
    return BuildResult(
        True,
        tuple(narrowed.problems),
        items=len(site.items),
        pages=len(all_fps),
        written=len(done.written),
        unchanged=len(all_fps) - len(done.written),
        rendered=done.rendered,
        withheld=site.withheld_count,
        drafts_skipped=site.drafts_skipped,
        awaiting_signoff=site.pending_count,
        seconds=timer.seconds,
        output=ctx.output,
        changed_sources=tuple(narrowed.fresh),
        written_files=done.written,
        timings=timer.timings,
        pending=True,
    )


def finish_session(options: BuildOptions) -> list[Diagnostic] | None:
    """After a session's build: index the search (when deferred) and make the deferred
    pages (PDFs), then record the manifest with the output's signature. None if there was
    nothing to do, else the problems (none: done)."""
    sess = options.session
    last = sess.last if sess is not None else None
    if sess is None or last is None or not last.pending:
        return None
    config = last.site.config
    ctx = _context(config, replace(options, today=last.today), last.output)
    manifest = last.manifest
    files = last.files
    search_fp = search_fingerprint(last.site) if ctx.search else ""
    index = bool(search_fp) and manifest.search_fp != search_fp
    todo = session.due(last)
    if index or todo:
        made = {page.path: fp for page, fp in todo}
        work = Work(
            site=last.site,
            pages=[page for page, _fp in todo],
            fingerprints=made,
            old_fingerprints={},
            policy=last.policy,
            rescan=False,
            carry=last.files,
            assets=False,
            index=_indexer(ctx, last.site, manifest, search_fp) if index else None,
        )
        done = publish(ctx, work, _environment(ctx, sess), lambda _stage: None)
        if isinstance(done, list):
            if index:
                ctx.cache.clear_search()
            sess.forget()
            return done
        files = done.files
        manifest = replace(
            manifest,
            search_fp=search_fp if index else manifest.search_fp,
            pages_fp={**manifest.pages_fp, **made},
        )
    signed = _signed(ctx, manifest, files)
    ctx.cache.save_manifest(signed)
    session.settle(sess, files, signed)
    return []
