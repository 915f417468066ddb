"""A long-running process's builds (serve, watch): what is dirty after a change.

A ``BuildSession`` keeps what the last successful build knew (``LastBuild``): its model,
its plan's dependencies, the files it published, its manifest. When the watcher reports
only modified item files and each one's front matter and links are as they were, the
site's structure — order, groups, threads, figures, every list page — is unchanged, and
only the pages that show those bodies change (``item:<slug>`` deps: the item's page,
feeds, the anthology). ``narrow`` finds that out: it re-reads just those files, swaps
the new bodies into the last model and plans just those pages. It never renders or
writes the output: the build's one executor does (``bulletin.publish``), the same way as
for a full build. Anything else — a new, deleted or renamed file, a front-matter change,
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

from . import checks, content, model, templates
from .cache import CacheMemory, ItemEntry, Manifest
from .confidential import LeakPolicy
from .context import BuildContext
from .diagnostics import Diagnostic
from .fsutil import Signature, stat_signature
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
    policy: LeakPolicy
    planned: list[tuple[Planner, Page]]
    signatures: list[tuple[str, Signature]]  # item files in scan order
    entries: dict[str, ItemEntry]  # the item index
    problems: list[Diagnostic]  # its warnings
    documents: Files = ()  # bulletin issues and circular notes, as scanned
    deferred: Deferred = ()  # pages left for the session's next step (PDFs)


@dataclass(frozen=True)
class LastBuild:
    """What a session's last successful build knew: enough to rebuild a body edit."""

    key: tuple[object, ...]  # everything but the items that the build depended on
    output: Path
    today: dt.date
    base: str  # the page fingerprint base
    site: model.Site
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

    @property
    def inputs(self) -> list[tuple[str, Signature]]:
        """Every content file's signature, as ``Scan.inputs`` gives them."""
        return [*self.signatures.items(), *((rel, sig) for _p, rel, sig in self.documents)]


@dataclass(frozen=True)
class Narrowed:
    """What a few body edits make dirty: the pages to render again, and the rest."""

    site: model.Site  # the last model with the new bodies
    pages: list[Page]  # the pages showing those bodies
    fingerprints: dict[str, str]  # of those pages
    fresh: dict[str, tuple[Signature, content.ReadResult]]  # files read again
    signatures: dict[str, Signature]  # every item file
    read_warnings: Warnings
    check_warnings: Warnings
    problems: list[Diagnostic]  # the build's warnings, in file order
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
        """The Jinja environment of ``ctx``'s template set, kept compiled between builds."""
        if self._env is None or self._env[0] != ctx.template_fp:
            env = templates.make_environment(ctx.config, ctx.cache.templates_dir)
            self._env = (ctx.template_fp, env)
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
    return Scan(files, [])


def narrow(session: BuildSession, ctx: BuildContext, changed: frozenset[str]) -> Narrowed | None:
    """The pages a few body-only edits make dirty, or None if a full build is due."""
    last = session.last
    if last is None or not last.shortcuts or session.cache.items is None:
        return None
    if last.output != ctx.output or last.today != ctx.today or last.key != session_key(ctx):
        return None
    if not changed or any(rel not in last.signatures for rel in changed):
        return None  # not an item file the last build read, or a new one
    entries = session.cache.items[1]
    fresh: dict[str, tuple[Signature, content.ReadResult]] = {}
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
            or item.meta_key != before.meta_key
            or item.slug != before.slug
            or item.body.links != before.body.links
        ):
            return None
        fresh[rel] = (sig, result)
    if not fresh:
        return None

    # the problems this build reports: the last build's, those of the changed files renewed
    read_warnings = dict(last.read_warnings)
    check_warnings = dict(last.check_warnings)
    published = [
        r.item for _sig, r in fresh.values() if r.item is not None and last.site.item(r.item.slug)
    ]
    for rel, (_sig, result) in fresh.items():
        read_warnings.pop(rel, None)
        if result.diagnostics:
            read_warnings[rel] = result.diagnostics
        check_warnings.pop(rel, None)
    for d in checks.run_checks(published, ctx.config):
        check_warnings[d.path] = (*check_warnings.get(d.path, ()), d)
    order = list(last.signatures)
    problems = [d for rel in order for d in read_warnings.get(rel, ())]
    problems += [d for rel in order for d in check_warnings.get(rel, ())]
    if ctx.strict and problems:
        return None

    site = model.with_bodies(last.site, {i.slug: (i.key, i.body.chars) for i in published})
    slugs = [i.slug for i in published]
    affected = {path for slug in slugs for path in last.body_pages.get(slug, ())}
    chosen = {last.planner_of[path] for path in affected}
    planners = [p for p in pages.planners() if p in chosen]
    plan = pages.plan_some(site, last.today, affected, slugs, planners)
    if {p.path for p in plan} != affected:
        return None  # the plan moved under us: let the full build sort it out
    plan, later = split_deferred(plan)
    # the PDFs of these bodies, planned over the new model, with what they will be made from
    again = {page.path: page for page in later}
    remade = fingerprints(site, later, last.base)
    deferred = tuple(
        (again.get(page.path, page), remade.get(page.path, fp)) for page, fp in last.deferred
    )
    return Narrowed(
        site=site,
        pages=plan,
        fingerprints=fingerprints(site, plan, last.base),
        fresh=fresh,
        signatures={**last.signatures, **{rel: sig for rel, (sig, _r) in fresh.items()}},
        read_warnings=read_warnings,
        check_warnings=check_warnings,
        problems=problems,
        deferred=deferred,
    )


def advance(session: BuildSession, narrowed: Narrowed, manifest: Manifest) -> None:
    """After a narrowed rebuild went live: the session now starts from it. The manifest
    on disk and the search index are behind until the session's search step runs."""
    last = session.last
    assert last is not None  # narrow() returned something, so there is a last build
    session.manifest = (last.output, manifest)
    session.last = replace(
        last,
        site=narrowed.site,
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
