"""A long-running process's builds (serve, watch): what is dirty after a change.

A ``BuildSession`` keeps what the last successful build knew (``LastBuild``): its model,
its plan's dependencies, the files it published, its manifest. When the watcher reports
only modified item files, ``narrow`` finds what they make dirty, re-reading just those
files:

- body-only edits (front matter and links as they were): the site's structure — order,
  groups, threads, figures, every list page — is unchanged, and only the pages that
  show those bodies change (``item:<slug>`` deps: the item's page, feeds, the
  anthology). The new bodies are swapped into the last model and just those pages are
  planned;
- front-matter edits that keep each item's slug, links, status and classification: the
  model is built again from the item index (no file but the edited ones is read), every
  page but the item pages of untouched items is planned, and the page fingerprints
  (``plan.deps``: lists depend on the fields they show) leave all but the pages that
  really changed as they are.

It never renders or writes the output: the build's one executor does
(``bulletin.publish``), the same way as for a full build. Anything else — a new,
deleted or renamed file, a changed status or classification, a page that comes or goes,
an error, other options, another day — gives None, and the build runs in full.

Pages slow to make (PDFs: ``plan.page.DEFERRED_KINDS``) are left out of what a session
publishes at once (``split_deferred``): the live output keeps their last file until the
session's next step (``build.finish_session``) makes them, as it indexes search.

Everything a ``LastBuild`` holds is plain data and the model (no open files, no
threads), so a later change can rebuild one from what a build recorded on disk.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2

from . import checks, confidential, content, model, templates
from .cache import CacheMemory, ItemEntry, Manifest
from .confidential import LeakPolicy
from .context import BuildContext
from .diagnostics import Diagnostic
from .fsutil import Signature, stat_signature
from .issues import Documents
from .plan import pages
from .plan.page import DEFERRED_KINDS, Page, Planner, body_slugs, fingerprints
from .sources import Scan

Warnings = dict[str, tuple[Diagnostic, ...]]  # file → its warnings
Deferred = tuple[tuple[Page, str], ...]  # pages made later, each with its fingerprint
Files = tuple[tuple[str, str, Signature], ...]  # (path, site-relative path, signature)


@dataclass(frozen=True)
class Built:
    """A successful full build, as a session needs to know it."""

    site: model.Site
    withheld: model.Withheld
    policy: LeakPolicy
    planned: list[tuple[Planner, Page]]
    signatures: list[tuple[str, Signature]]  # item files in scan order
    entries: dict[str, ItemEntry]  # the item index
    problems: list[Diagnostic]  # its warnings
    documents: Files = ()  # bulletin issues and circular notes, as scanned
    deferred: Deferred = ()  # pages left for the session's next step (PDFs)
    papers: Documents = Documents()  # those issues and notes, as read


@dataclass(frozen=True)
class LastBuild:
    """What a session's last successful build knew: enough to rebuild a body edit."""

    key: tuple[object, ...]  # everything but the items that the build depended on
    output: Path
    today: dt.date
    base: str  # the page fingerprint base
    site: model.Site
    withheld: model.Withheld
    policy: LeakPolicy
    signatures: dict[str, Signature]  # item files in scan order
    read_warnings: Warnings
    check_warnings: Warnings
    planner_of: dict[str, Planner]  # output page → the planner that made it
    body_pages: dict[str, tuple[str, ...]]  # slug → pages showing its body
    files: frozenset[str]  # every file of the live output
    manifest: Manifest
    pending: bool  # the search index, deferred pages or the manifest on disk are behind
    shortcuts: bool  # whether narrow() may start from here
    documents: Files = ()  # bulletin issues and circular notes, as scanned
    deferred: Deferred = ()  # pages made after the live ones (PDFs), with their fingerprints
    papers: Documents = Documents()  # those issues and notes, as read

    @property
    def inputs(self) -> list[tuple[str, Signature]]:
        """Every content file's signature, as ``Scan.inputs`` gives them."""
        return [*self.signatures.items(), *((rel, sig) for _p, rel, sig in self.documents)]


@dataclass(frozen=True)
class Narrowed:
    """What a few edits of item files make dirty: the pages to render again, and the rest."""

    site: model.Site  # the last model with the new bodies (or front matter)
    policy: LeakPolicy
    pages: list[Page]  # the pages showing those bodies (or that front matter)
    fingerprints: dict[str, str]  # of those pages
    fresh: dict[str, tuple[Signature, content.ReadResult]]  # files read again
    signatures: dict[str, Signature]  # every item file
    read_warnings: Warnings
    check_warnings: Warnings
    problems: list[Diagnostic]  # the build's warnings, in file order
    body_pages: dict[str, tuple[str, ...]]  # slug → pages showing its body, as now
    deferred: Deferred = ()  # every deferred page of the site now (PDFs), as pages


class BuildSession:
    """What a long-running process keeps in memory between its builds."""

    def __init__(self) -> None:
        self.cache = CacheMemory()  # the item index and loaded bodies
        # (output dir, manifest) of the build now live there, as this session swapped it in
        self.manifest: tuple[Path, Manifest] | None = None
        # what the last successful build knew; None after a failed one (the next is full)
        self.last: LastBuild | None = None
        self._env: tuple[str, jinja2.Environment] | None = None

    def environment(self, ctx: BuildContext) -> jinja2.Environment:
        """The Jinja environment of ``ctx``'s template set and config (its globals hold
        the site's title, language and base path), kept compiled between builds."""
        key = ctx.template_fp + ctx.config.fingerprint
        if self._env is None or self._env[0] != key:
            env = templates.make_environment(ctx.config, ctx.cache.templates_dir)
            self._env = (key, env)
        return self._env[1]

    def forget(self) -> None:
        """After a failed build: the next one starts from scratch."""
        self.last = None

    def manifest_for(self, output: Path) -> Manifest | None:
        """The manifest of ``output`` if this session swapped that output in itself."""
        if self.manifest is not None and self.manifest[0] == output:
            return self.manifest[1]
        return None


def session_key(ctx: BuildContext) -> tuple[object, ...]:
    """What a session's builds must share to narrow one from the last: the settings."""
    return (*ctx.settings, ctx.defer_search)


def remember(
    session: BuildSession,
    ctx: BuildContext,
    built: Built,
    files: frozenset[str],
    manifest: Manifest,
    pending: bool,
) -> None:
    """Keep what a successful full build knew in the session."""
    session.manifest = (ctx.output, manifest)
    entries = built.entries
    read_warnings = {
        rel: entries[rel].result.diagnostics for rel, _sig in built.signatures if rel in entries
    }
    from_reading = {d for ds in read_warnings.values() for d in ds}
    check_warnings: Warnings = {}
    for d in built.problems:
        if d not in from_reading:
            check_warnings[d.path] = (*check_warnings.get(d.path, ()), d)
    body_pages: dict[str, list[str]] = {}
    for _planner, page in built.planned:
        for slug in body_slugs(page):
            body_pages.setdefault(slug, []).append(page.path)
    session.last = LastBuild(
        key=session_key(ctx),
        output=ctx.output,
        today=ctx.today,
        base=ctx.page_base,
        site=built.site,
        withheld=built.withheld,
        policy=built.policy,
        signatures=dict(built.signatures),
        read_warnings={rel: ds for rel, ds in read_warnings.items() if ds},
        check_warnings=check_warnings,
        planner_of={page.path: planner for planner, page in built.planned},
        body_pages={slug: tuple(paths) for slug, paths in body_pages.items()},
        files=files,
        manifest=manifest,
        pending=pending,
        # a warning about the site as a whole (not one item file) needs the full build
        shortcuts=all(d.path in entries for d in built.problems),
        documents=built.documents,
        deferred=built.deferred,
        papers=built.papers,
    )


def kept(deferred: Deferred, manifest: Manifest, files: Iterable[str]) -> dict[str, str]:
    """What a manifest records of deferred pages before they are made: the fingerprint of
    the file the live output keeps (``files``), if any. A page whose recorded fingerprint
    differs from its own is made by ``build.finish_session`` (or by the next build)."""
    live = set(files)
    old = manifest.pages_fp
    return {p.path: old[p.path] for p, _fp in deferred if p.path in live and p.path in old}


def due(last: LastBuild) -> Deferred:
    """The deferred pages (PDFs) to make now: their file is missing or was made from
    something else."""
    recorded = last.manifest.pages_fp
    return tuple(
        (page, fp)
        for page, fp in last.deferred
        if recorded.get(page.path) != fp or page.path not in last.files
    )


def split_deferred(pages: Iterable[Page]) -> tuple[list[Page], list[Page]]:
    """The pages a session publishes at once, and those it makes after them (PDFs)."""
    now: list[Page] = []
    later: list[Page] = []
    for page in pages:
        (later if page.kind in DEFERRED_KINDS else now).append(page)
    return now, later


def scan(session: BuildSession | None, changed: frozenset[str] | None, root: Path) -> Scan | None:
    """The last build's scan with the watcher's changes applied, when they are only
    modified or deleted item files (a new file or directory needs the real scan)."""
    last = session.last if session is not None else None
    if last is None or changed is None or not last.shortcuts:
        return None
    if any(rel.startswith("content/") and rel not in last.signatures for rel in changed):
        return None
    files = []
    prefix = str(root) + os.sep
    for rel, sig in last.signatures.items():
        path = prefix + rel
        if rel in changed:
            try:
                st = os.stat(path)
            except OSError:
                continue  # deleted
            if not os.path.isfile(path):
                return None
            sig = stat_signature(st)
        files.append((path, rel, sig))
    # the issues and circular notes as scanned (a change to one is not an item file's:
    # it took the real scan above)
    return Scan(files, [], list(last.documents))


def narrow(session: BuildSession, ctx: BuildContext, changed: frozenset[str]) -> Narrowed | None:
    """The pages a few edits of item files make dirty, or None if a full build is due.

    A body edit swaps the new bodies into the last model and plans the pages showing
    them. A front-matter edit that keeps the item's slug, links, status and
    classification (the withheld set, the drafts and the page paths stay as they are)
    builds the model again from the item index, plans every page but the item pages of
    items it leaves alone, and lets the fingerprints (``plan.deps``) tell which changed:
    an edited title re-renders the lists showing it, not the others."""
    last = session.last
    if last is None or not last.shortcuts or session.cache.items is None:
        return None
    if last.output != ctx.output or last.today != ctx.today or last.key != session_key(ctx):
        return None
    if not changed or any(rel not in last.signatures for rel in changed):
        return None  # not an item file the last build read, or a new one
    entries = session.cache.items[1]
    fresh: dict[str, tuple[Signature, content.ReadResult]] = {}
    meta: list[str] = []  # items whose front matter changed
    for rel in sorted(changed):
        path = ctx.config.root / rel
        try:
            sig = stat_signature(os.stat(path))
        except OSError:
            return None  # deleted
        if sig == last.signatures[rel]:
            continue
        result = content.read_file(path, rel, ctx.config)
        before = entries[rel].result.item if rel in entries else None
        item = result.item
        if (
            item is None
            or before is None
            or any(d.is_error for d in result.diagnostics)
            or item.slug != before.slug
            or item.body.links != before.body.links
            or item.status != before.status
            or item.classification != before.classification
        ):
            return None
        fresh[rel] = (sig, result)
        if item.meta_key != before.meta_key:
            meta.append(item.slug)
    if not fresh:
        return None

    # the problems this build reports: the last build's, those of the changed files renewed
    read_warnings = dict(last.read_warnings)
    check_warnings = dict(last.check_warnings)
    published = [
        r.item for _sig, r in fresh.values() if r.item is not None and last.site.item(r.item.slug)
    ]
    others = checks.unpublished(
        [r.item for _sig, r in fresh.values() if r.item is not None],
        {i.slug for i in published},
    )
    for rel, (_sig, result) in fresh.items():
        read_warnings.pop(rel, None)
        if result.diagnostics:
            read_warnings[rel] = result.diagnostics
        check_warnings.pop(rel, None)
    for d in checks.run_checks(published, ctx.config, last.today, others):
        check_warnings[d.path] = (*check_warnings.get(d.path, ()), d)
    order = list(last.signatures)
    problems = [d for rel in order for d in read_warnings.get(rel, ())]
    problems += [d for rel in order for d in check_warnings.get(rel, ())]
    if ctx.strict and problems:
        return None

    slugs = [i.slug for i in published]
    if meta:
        made = _restructured(last, ctx, entries, fresh, meta)
        if made is None:
            return None
        site, policy, plan, body_pages = made
    else:
        site = model.with_bodies(last.site, {i.slug: (i.key, i.body.chars) for i in published})
        policy, body_pages = last.policy, last.body_pages
        affected = {path for slug in slugs for path in last.body_pages.get(slug, ())}
        chosen = {last.planner_of[path] for path in affected}
        planners = [p for p in pages.planners() if p in chosen]
        plan = pages.plan_some(site, last.today, affected, slugs, planners)
        if {p.path for p in plan} != affected:
            return None  # the plan moved under us: let the full build sort it out
    plan, later = split_deferred(plan)
    # the deferred pages (PDFs) planned over the new model, with what they will be made from
    again = {page.path: page for page in later}
    remade = fingerprints(site, later, last.base, ctx.dep_values(site))
    deferred = tuple(
        (again.get(page.path, page), remade.get(page.path, fp)) for page, fp in last.deferred
    )
    return Narrowed(
        site=site,
        policy=policy,
        body_pages=body_pages,
        pages=plan,
        fingerprints=fingerprints(site, plan, last.base, ctx.dep_values(site)),
        fresh=fresh,
        signatures={**last.signatures, **{rel: sig for rel, (sig, _r) in fresh.items()}},
        read_warnings=read_warnings,
        check_warnings=check_warnings,
        problems=problems,
        deferred=deferred,
    )


def _restructured(
    last: LastBuild,
    ctx: BuildContext,
    entries: dict[str, ItemEntry],
    fresh: dict[str, tuple[Signature, content.ReadResult]],
    meta: list[str],
) -> tuple[model.Site, LeakPolicy, list[Page], dict[str, tuple[str, ...]]] | None:
    """After front-matter edits of the items ``meta``: the new model, its leak policy,
    the pages that may have changed (every page but the item pages of items whose
    thread holds no edited item) and which pages show each body now; None if the edits
    moved more than that (a problem, a page added or gone): the full build is due."""
    sources = []
    for rel in last.signatures:
        result = fresh[rel][1] if rel in fresh else entries[rel].result if rel in entries else None
        if result is not None and result.item is not None:
            sources.append(result.item)
    site, withheld, problems = model.build_site(
        ctx.config,
        sources,
        drafts=ctx.drafts,
        bodies=ctx.cache.bodies.get,
        documents=last.papers,
    )
    if (
        problems
        or withheld != last.withheld
        or site.pending_count != last.site.pending_count
        or site.drafts_skipped != last.site.drafts_skipped
        or {i.slug for i in site.items} != {i.slug for i in last.site.items}
    ):
        return None  # an item comes or goes (withheld, a draft, awaiting sign-off)
    # the item pages of the edited items and of every item sharing a thread with one
    slugs: set[str] = set()
    for slug in meta:
        slugs.add(slug)
        for known in (last.site, site):
            item = known.item(slug)
            thread = known.thread_of(item) if item is not None else None
            if thread is not None:
                slugs.update(i.slug for i in thread.items)
    planned = [
        (planner, page)
        for planner in pages.planners()
        if planner is not pages.item_pages
        for page in planner(site, last.today)
    ]
    before = {path for path, planner in last.planner_of.items() if planner is not pages.item_pages}
    if {page.path for _planner, page in planned} != before:
        return None  # a page comes or goes (a year's statistics, a volume)
    plan = [page for _planner, page in planned]
    plan += pages.item_pages(site, last.today, sorted(slugs))
    made: dict[str, list[str]] = {}
    for page in plan:
        for slug in body_slugs(page):
            made.setdefault(slug, []).append(page.path)
    # the pages planned here show the bodies they name now; the others as they did
    planned_paths = {page.path for page in plan}
    shown = {
        slug: (
            *(path for path in last.body_pages.get(slug, ()) if path not in planned_paths),
            *made.get(slug, ()),
        )
        for slug in last.body_pages.keys() | made.keys()
    }
    return site, confidential.policy(site, withheld), plan, shown


def advance(session: BuildSession, narrowed: Narrowed, manifest: Manifest) -> None:
    """After a narrowed rebuild went live: the session now starts from it. The manifest
    on disk and the search index are behind until the session's search step runs."""
    last = session.last
    assert last is not None  # narrow() returned something, so there is a last build
    session.manifest = (last.output, manifest)
    session.last = replace(
        last,
        site=narrowed.site,
        policy=narrowed.policy,
        body_pages=narrowed.body_pages,
        signatures=narrowed.signatures,
        read_warnings=narrowed.read_warnings,
        check_warnings=narrowed.check_warnings,
        manifest=manifest,
        pending=True,
        deferred=narrowed.deferred,
    )


def settle(session: BuildSession, files: frozenset[str], manifest: Manifest) -> None:
    """After the session's search step: the output holds ``files``, recorded on disk."""
    last = session.last
    assert last is not None
    session.manifest = (last.output, manifest)
    session.last = replace(last, files=files, manifest=manifest, pending=False)
