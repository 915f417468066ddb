"""Rebuilds inside a long-running session (serve, watch) that skip the full pipeline.

An editor typing in ``bulletin serve`` changes one item's body at a time. When the
watcher reports only modified item files and each one's front matter and links are as
they were, the site's structure — order, groups, threads, figures, every list page — is
unchanged, and only the pages that show those bodies change (``item:<slug>`` deps: the
item's page, feeds, the anthology). ``delta_build`` re-reads just those files, swaps the
new bodies into the last site model, plans and renders just those pages and swaps them
in, without scanning the content directory or walking the output. Anything else — a new,
deleted or renamed file, a front-matter change, a diagnostic, other options, another day —
returns None and the caller runs the full build. The randomized session test compares
every result with a clean build.

``finish_session`` does what may follow the pages: the search index (``defer_search``)
and the manifest on disk with the output's signature.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import checks, content, model, pages, templates
from .build import (
    SEARCH_DIR,
    BuildOptions,
    BuildResult,
    _page_fingerprints,
    _render_page,
    _search_step,
    apply_search,
    bytecode_dir,
    input_fingerprint,
    live_output,
    search_fingerprint,
    session_environment,
    settings_key,
    split_body,
)
from .cache import BuildCache, BuildSession, ItemEntry, stat_signature
from .config import SiteConfig
from .diagnostics import Diagnostic
from .documents import DEFERRED_KINDS
from .output import Staging, scan_for_leaks


@dataclass(frozen=True)
class LastBuild:
    """What a session's last successful build knew, enough to rebuild a body edit."""

    key: tuple[Any, ...]  # everything but the items that the build depended on
    output: Path
    today: dt.date
    base: str  # the page fingerprint base
    site: model.Site
    leak: Any  # the compiled withheld-text pattern, or None
    signatures: dict[str, tuple[int, int, int, int]]  # item files in scan order
    read_warnings: dict[str, tuple[Diagnostic, ...]]
    check_warnings: dict[str, tuple[Diagnostic, ...]]
    fingerprints: dict[str, str]  # output page → fingerprint
    planner_of: dict[str, pages.Planner]
    body_pages: dict[str, tuple[str, ...]]  # slug → pages depending on its body
    files: frozenset[str]  # every file of the live output
    manifest: dict[str, Any]
    pending: bool  # the search index or the manifest on disk is behind
    shortcuts: bool  # whether delta_build may start from here
    # pages made after the live ones (PDFs), with their fingerprints: finish_session()
    # makes those whose file is missing or out of date
    deferred: tuple[tuple[pages.Page, str], ...] = ()


def _key(config: SiteConfig, template_fp: str, options: BuildOptions) -> tuple[Any, ...]:
    return (*settings_key(config, template_fp, options), options.defer_search)


def remember(
    session: BuildSession,
    *,
    config: SiteConfig,
    output: Path,
    options: BuildOptions,
    template_fp: str,
    today: dt.date,
    base: str,
    site: model.Site,
    leak: Any,
    planned: list[tuple[pages.Planner, pages.Page]],
    signatures: list[tuple[str, tuple[int, int, int, int]]],
    problems: list[Diagnostic],
    files: set[str],
    manifest: dict[str, Any],
    pending: bool,
    deferred: list[tuple[pages.Page, str]] = (),  # type: ignore[assignment]
) -> None:
    """Keep what a successful full build knew in the session."""
    session.manifest = (output, manifest)
    if session.items is None:
        return
    entries = session.items[1]
    read_warnings = {rel: entries[rel].result.diagnostics for rel, _sig in signatures}
    from_reading = {d for ds in read_warnings.values() for d in ds}
    check_warnings: dict[str, tuple[Diagnostic, ...]] = {}
    # a warning about the site as a whole (not one item file) would need the full build
    shortcuts = all(d.path in entries for d in problems)
    for d in problems:
        if d not in from_reading:
            check_warnings[d.path] = (*check_warnings.get(d.path, ()), d)
    body_pages: dict[str, list[str]] = {}
    for _planner, page in planned:
        for dep in page.deps:
            if dep.startswith("item:"):
                body_pages.setdefault(dep[5:], []).append(page.path)
    session.last = LastBuild(
        key=_key(config, template_fp, options),
        output=output,
        today=today,
        base=base,
        site=site,
        leak=leak,
        signatures=dict(signatures),
        read_warnings={rel: ds for rel, ds in read_warnings.items() if ds},
        check_warnings=check_warnings,
        fingerprints=manifest["pages_fp"],
        planner_of={page.path: planner for planner, page in planned},
        body_pages={slug: tuple(paths) for slug, paths in body_pages.items()},
        files=frozenset(files),
        manifest=manifest,
        pending=pending,
        shortcuts=shortcuts,
        deferred=tuple(deferred),
    )


def delta_build(
    config: SiteConfig,
    output: Path,
    cache: BuildCache,
    options: BuildOptions,
    started: float,
) -> BuildResult | None:
    """Rebuild a session's site after body-only edits, or None if a full build is due."""
    from .build import today_for

    session, changed = options.session, options.changed
    if session is None or changed is None or not cache.enabled:
        return None
    last: LastBuild | None = session.last
    if last is None or not last.shortcuts or session.items is None or last.output != output:
        return None
    if today_for(config, options) != last.today:
        return None
    template_fp = templates.templates_fingerprint(config)
    if _key(config, template_fp, options) != last.key:
        return None
    if not changed or any(rel not in last.signatures for rel in changed):
        return None  # not an item file the last build read, or a new one
    config_key, entries = session.items
    fresh: dict[str, content.ReadResult] = {}
    signatures: dict[str, tuple[int, int, int, int]] = {}
    for rel in sorted(changed):
        path = config.root / rel
        try:
            sig = stat_signature(os.stat(path))
        except OSError:
            return None  # deleted
        if sig == last.signatures[rel]:
            continue
        result = content.read_file(path, rel, config)
        before = entries[rel].result.item
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
        fresh[rel] = result
        signatures[rel] = sig
    if not fresh:
        return None
    timings: dict[str, float] = {"read": round(time.perf_counter() - started, 4)}

    # the problems this build reports: the last build's, those of the changed files renewed
    read_warnings = dict(last.read_warnings)
    check_warnings = dict(last.check_warnings)
    site = last.site
    published = [r.item for r in fresh.values() if r.item and site.item(r.item.slug)]
    for rel, result in fresh.items():
        read_warnings.pop(rel, None)
        if result.diagnostics:
            read_warnings[rel] = result.diagnostics
        check_warnings.pop(rel, None)
    for d in checks.run_checks(published, config):  # type: ignore[arg-type]
        check_warnings[d.path] = (*check_warnings.get(d.path, ()), d)
    order = list(last.signatures)
    problems = [d for rel in order for d in read_warnings.get(rel, ())]
    problems += [d for rel in order for d in check_warnings.get(rel, ())]
    if options.strict and problems:
        return None

    # the cache first: bodies, then the index entries of the changed files
    new_entries = dict(entries)
    for rel, result in fresh.items():
        slim, body = split_body(result)
        assert result.item is not None and body is not None
        cache.bodies.put(result.item.key, *body)
        new_entries[rel] = ItemEntry(signatures[rel], slim)
    cache.bodies.flush(e.result.item.key for e in new_entries.values() if e.result.item)
    cache.save_items(config_key, new_entries, set(fresh))

    site = model.with_bodies(
        site,
        {i.slug: (i.key, i.body.chars) for i in published},  # type: ignore[union-attr]
    )
    slugs = [i.slug for i in published]  # type: ignore[union-attr]
    affected = {path for slug in slugs for path in last.body_pages.get(slug, ())}
    chosen = {last.planner_of[path] for path in affected}
    planners = [p for p in pages.planners() if p in chosen]
    plan = pages.plan_some(site, last.today, affected, slugs, planners)
    if {p.path for p in plan} != affected:
        return None  # the plan moved under us: let the full build sort it out
    later = [p for p in plan if p.kind in DEFERRED_KINDS]
    plan = [p for p in plan if p.kind not in DEFERRED_KINDS]
    fingerprints = _page_fingerprints(site, plan, last.base)
    deferred = dict((p.path, (p, fp)) for p, fp in last.deferred)
    deferred.update(
        (p.path, (p, fp))
        for p, fp in zip(later, _page_fingerprints(site, later, last.base).values(), strict=True)
    )
    timings["plan"] = round(time.perf_counter() - started, 4)

    env = session_environment(session, config, template_fp, bytecode_dir(cache))
    written: list[str] = []
    with Staging(output) as staging:
        staging.kept = set(last.files)
        for page in plan:
            outcome = _render_page(page, env, site, last.today, staging.path, last.leak)
            if isinstance(outcome, Diagnostic):
                return None  # the full build reports it the usual way
            path, was_written, leaked = outcome
            if leaked:
                return None  # ditto: a leak fails the build with its own message
            if was_written:
                written.append(path)
                staging.new_files.append(path)
        staging.prune()
        staging.swap()
    timings["render"] = round(time.perf_counter() - started, 4)

    all_fps = {**last.fingerprints, **fingerprints}
    all_sigs = {**last.signatures, **signatures}
    manifest = {
        **last.manifest,
        "input": input_fingerprint(
            config, template_fp, options, last.today, output, list(all_sigs.items())
        ),
        "pages_fp": all_fps,
        "output_sig": None,  # written by finish_session()
        "diagnostics": problems,
    }
    session.manifest = (output, manifest)
    session.last = replace(
        last,
        site=site,
        signatures=all_sigs,
        read_warnings=read_warnings,
        check_warnings=check_warnings,
        fingerprints=all_fps,
        manifest=manifest,
        pending=True,  # the manifest on disk (and the search index) are now behind
        deferred=tuple(deferred.values()),
    )
    return BuildResult(
        True,
        tuple(problems),
        items=len(site.items),
        pages=len(all_fps),
        written=len(written),
        unchanged=len(all_fps) - len(written),
        rendered=len(plan),
        withheld=site.withheld_count,
        drafts_skipped=site.drafts_skipped,
        seconds=round(time.perf_counter() - started, 3),
        output=output,
        changed_sources=tuple(fresh),
        written_files=tuple(written),
        timings=timings,
        pending=True,
    )


def finish_session(options: BuildOptions) -> list[Diagnostic] | None:
    """After a session's build: index the search (when deferred), then write the manifest
    with the output's signature. None if there was nothing to do, else the problems."""
    session = options.session
    last: LastBuild | None = session.last if session is not None else None
    if session is None or last is None or not last.pending:
        return None
    config = last.site.config
    cache = BuildCache(config.root, enabled=options.cache, session=session)
    manifest = dict(last.manifest)
    files = set(last.files)
    todo = [
        (page, fp)
        for page, fp in last.deferred
        if manifest.get("pages_fp", {}).get(page.path) != fp or page.path not in files
    ]
    if todo:
        problems = make_deferred(last, config, cache, session, todo, files)
        if problems:
            return problems
        manifest["pages_fp"] = {**manifest.get("pages_fp", {}), **dict(todo)}
    search_fp = search_fingerprint(last.site) if options.search else ""
    if search_fp and manifest.get("search_fp") != search_fp:
        with Staging(last.output) as staging:
            staging.kept = set(files)
            apply_search(
                staging, _search_step(last.site, cache, manifest, search_fp, options.progress)
            )
            written = staging.new_files
            leaks = scan_for_leaks(staging.path, written, last.leak) if last.leak else []
            if leaks:
                # the pages passed this check, so this cannot happen; never publish it
                shutil.rmtree(cache.root / "search", ignore_errors=True)
                session.last = None
                return [
                    Diagnostic(
                        f"{SEARCH_DIR}/",
                        None,
                        None,
                        f"search file {leaks[0]} contains a withheld item's title; "
                        "the search index was not updated",
                    )
                ]
            staging.prune()
            staging.swap()
            files = set(staging.kept)
        manifest["search_fp"] = search_fp
    live = live_output(last.output, files)
    manifest["output_sig"] = live.signature if live is not None else ""
    manifest["output_files"] = sorted(live.files) if live is not None else None
    cache.save_manifest(manifest)
    session.manifest = (last.output, manifest)
    session.last = replace(last, files=frozenset(files), manifest=manifest, pending=False)
    return []


def make_deferred(
    last: LastBuild,
    config: SiteConfig,
    cache: BuildCache,
    session: BuildSession,
    todo: list[tuple[pages.Page, str]],
    files: set[str],
) -> list[Diagnostic]:
    """Make the deferred pages (PDFs) into a staging copy of the live output, scan them
    for withheld text, swap them in; ``files`` is updated with the live output's files."""
    env = session_environment(session, config, templates.templates_fingerprint(config))
    with Staging(last.output) as staging:
        staging.kept = set(files)
        for page, _fp in todo:
            outcome = _render_page(page, env, last.site, last.today, staging.path, last.leak)
            if isinstance(outcome, Diagnostic):
                session.last = None
                return [outcome]
            path, was_written, leaked = outcome
            if leaked:
                session.last = None
                return [
                    Diagnostic(
                        path,
                        None,
                        None,
                        "output contains the title or address of a withheld (classified) "
                        "item; nothing was published",
                    )
                ]
            staging.kept.add(path)
            if was_written:
                staging.new_files.append(path)
        staging.prune()
        staging.swap()
        files.clear()
        files.update(staging.kept)
    return []
