"""The build's one executor: render, stage, check confidentiality, swap, index search.

Every build publishes through ``publish``, whatever decided what to publish: a full build
(every page of the plan, unchanged ones kept), a session's partial rebuild (the pages a
body edit made dirty; the rest of the live output carried over) and a session's deferred
search step (no page; the search index brought up to date). Each runs the same steps:

1. stage: a staging copy of the output (``output.Staging``);
2. render the pages whose fingerprint changed, in worker processes when there are many
   (each page's bytes are searched for withheld text as they are written);
3. the static assets, then the search index (or the published one carried over);
4. prune what this build does not hold; check the leak policy (``confidential``) over
   every name and every file not yet searched;
5. swap the staging tree in.

Any problem (a template error, a leak) returns the diagnostics and leaves the live
output untouched.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import confidential, parallel, templates
from .confidential import LeakPolicy
from .config import SiteConfig
from .context import BuildContext
from .diagnostics import Diagnostic, sort_key
from .indexing import SEARCH_DIR
from .model import Site
from .output import PageWriter, Staging, WriteStats
from .plan.page import Page
from .render import make_page

STATIC = Path(__file__).parent / "static"
PARALLEL_MIN = 256  # below this many pages, render in-process


@dataclass(frozen=True)
class Work:
    """What one run of the executor publishes."""

    site: Site
    pages: Sequence[Page]  # considered: rendered unless their fingerprint is unchanged
    fingerprints: Mapping[str, str]  # of ``pages``
    old_fingerprints: Mapping[str, str]  # of the pages in the live output
    policy: LeakPolicy
    rescan: bool  # the withheld set changed: every kept file is searched again
    carry: frozenset[str] = frozenset()  # live files carried over as they are
    assets: bool = True  # (re)stage the static assets
    index: Callable[[Path], None] | None = None  # writes <staging>/search-index/
    keep_search: bool = False  # carry the published search index over as it is
    # pages a session makes later (PDFs): the file the live output has, if any, stays as
    # it is until then
    defer: Sequence[str] = ()


@dataclass(frozen=True)
class Published:
    """What a successful run did."""

    rendered: int  # pages rendered
    written: tuple[str, ...]  # files written (new or changed)
    removed: tuple[str, ...]
    stats: WriteStats
    files: frozenset[str]  # every file of the output now live


@dataclass(frozen=True)
class Rendered:
    """One page rendered into the staging tree."""

    path: str
    written: bool  # False: identical bytes were there already
    leaked: bool  # its bytes betray a withheld item


@dataclass(frozen=True)
class RenderJob:
    """What a render worker needs (inherited, not pickled: workers are forked)."""

    pages: Sequence[Page]
    site: Site
    today: dt.date
    config: SiteConfig
    bytecode: Path | None
    writer: PageWriter
    policy: LeakPolicy


def _render_state(
    job: RenderJob, env: jinja2.Environment | None
) -> tuple[RenderJob, jinja2.Environment]:
    return job, env if env is not None else templates.make_environment(job.config, job.bytecode)


def render_batch(
    state: tuple[RenderJob, jinja2.Environment], indices: list[int]
) -> list[Rendered | Diagnostic]:
    """Render pages (by index into the job's pages) and stage them."""
    job, env = state
    out: list[Rendered | Diagnostic] = []
    for i in indices:
        page = job.pages[i]
        made = make_page(page, env, job.site, job.today)
        if isinstance(made, Diagnostic):
            out.append(made)
        else:
            written = job.writer.write(page.path, made.data)
            out.append(Rendered(page.path, written, job.policy.leaks(made.text)))
    return out


def publish(
    ctx: BuildContext,
    work: Work,
    environment: Callable[[], jinja2.Environment],
    lap: Callable[[str], None],
) -> Published | list[Diagnostic]:
    """Publish ``work`` into ``ctx.output`` (see the module docstring): what was done, or
    the problems that stopped it (the live output is then untouched)."""
    with Staging(ctx.output) as staging:
        lap("stage")
        staging.carry(work.carry)
        todo: list[int] = []
        root = str(staging.path) + os.sep
        staging.carry(path for path in work.defer if os.path.isfile(root + path))
        for index, page in enumerate(work.pages):
            fp = work.fingerprints[page.path]
            if work.old_fingerprints.get(page.path) == fp and os.path.isfile(root + page.path):
                staging.keep(page.path)
            else:
                todo.append(index)
        # list and report pages first: each may take as long as a hundred item pages
        heavy = [i for i in todo if work.pages[i].kind != "item"]
        todo = heavy + [i for i in todo if work.pages[i].kind == "item"]
        job = RenderJob(
            work.pages,
            work.site,
            ctx.today,
            ctx.config,
            ctx.cache.templates_dir,
            staging.writer(),
            work.policy,
        )
        many = len(todo) >= PARALLEL_MIN and ctx.jobs > 1 and parallel.can_inherit()
        with parallel.gc_paused(False):  # rendering makes Jinja contexts by the thousand
            outcomes = parallel.map_batches(
                render_batch,
                todo,
                jobs=ctx.jobs,
                init=_render_state,
                args=(job, None if many or not todo else environment()),
                parallel=many,
                stage="render",
                progress=ctx.progress,
                singles=len(heavy),
            )
        problems = [o for o in outcomes if isinstance(o, Diagnostic)]
        if problems:
            return sorted(set(problems), key=sort_key)
        leaked: list[str] = []
        rendered: set[str] = set()
        for o in outcomes:
            assert isinstance(o, Rendered)
            staging.record(o.path, o.written)
            rendered.add(o.path)
            if o.leaked:
                leaked.append(o.path)
        if work.assets:
            for asset in sorted(STATIC.rglob("*")):
                if asset.is_file():
                    staging.put(
                        "assets/" + asset.relative_to(STATIC).as_posix(), asset.read_bytes()
                    )
        lap("render")
        if work.index is not None:
            staging.track(SEARCH_DIR, work.index)
            lap("search")
        elif work.keep_search:  # published as it is; the session's search step follows
            staging.carry_folder(SEARCH_DIR)
        staging.prune()
        new = set(staging.written)
        to_scan = [f for f in staging.written if f not in rendered]
        if work.rescan:
            to_scan += [f for f in staging.files if f not in new]
        problems = confidential.check(
            staging.path,
            staging.files,
            to_scan,
            leaked,
            work.policy,
            ctx.output,
            ctx.config.root,
        )
        if problems:
            return problems
        lap("scan")
        staging.swap()
        lap("swap")
        return Published(len(todo), staging.written, staging.removed, staging.stats, staging.files)
