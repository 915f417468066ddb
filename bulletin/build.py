"""One build: config → content → model → pages → render → staging → leak scan → swap."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from . import checks, content, model, pages, templates
from .config import SiteConfig, load_config
from .diagnostics import BulletinError, Diagnostic
from .output import Staging, check_output_dir, leak_pattern, scan_for_leaks

STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False
    output: Path | None = None
    today: dt.date | None = None
    write: bool = True  # False: validate only (bulletin check)
    strict: bool = False  # warnings fail the build
    search: bool = True


@dataclass(frozen=True)
class BuildResult:
    ok: bool
    diagnostics: tuple[Diagnostic, ...]
    items: int = 0
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    withheld: int = 0
    drafts_skipped: int = 0
    seconds: float = 0.0
    output: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]


def today_for(config: SiteConfig, options: BuildOptions) -> dt.date:
    return options.today or config.today or dt.date.today()


def read_sources(config: SiteConfig) -> tuple[list[content.SourceItem], list[Diagnostic]]:
    files, problems = content.discover(config)
    items = []
    for path, rel in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(Diagnostic(rel, None, None, f"cannot read: {exc.strerror}"))
            continue
        result = content.read_item(data, rel, config)
        problems.extend(result.diagnostics)
        if result.item is not None:
            items.append(result.item)
    return items, problems


def build(root: Path, options: BuildOptions | None = None) -> BuildResult:
    """Build the site at ``root``; never raises for bad input, returns diagnostics instead."""
    options = options or BuildOptions()
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 4)
        return now

    try:
        config = load_config(root)
    except BulletinError as exc:
        return BuildResult(False, exc.diagnostics)
    output = (options.output or config.output_dir).resolve()
    problems: list[Diagnostic] = []
    if options.write:
        problems.extend(check_output_dir(config, output))
    t = time.perf_counter()
    sources, read_problems = read_sources(config)
    problems.extend(read_problems)
    t = lap("read", t)
    site, withheld, model_problems = model.build_site(config, sources, drafts=options.drafts)
    problems.extend(model_problems)
    published = {i.slug for i in site.items}
    problems.extend(checks.run_checks([s for s in sources if s.slug in published], config))
    t = lap("model", t)

    def result(ok: bool, **kw: object) -> BuildResult:
        return BuildResult(
            ok,
            tuple(problems),
            items=len(site.items),
            withheld=site.withheld_count,
            drafts_skipped=site.drafts_skipped,
            seconds=round(time.perf_counter() - started, 3),
            output=output,
            timings=timings,
            **kw,  # type: ignore[arg-type]
        )

    failed = any(d.is_error for d in problems) or (
        options.strict and any(not d.is_error for d in problems)
    )
    if failed or not options.write:
        return result(not failed)

    today = today_for(config, options)
    plan = pages.plan_pages(site, today)
    env = templates.make_environment(config)
    with Staging(output) as staging:
        for page in plan:
            context = {"site": site, "today": today, **page.context}
            try:
                html = templates.render(env, page.template, context, config)
            except templates.TemplateFailure as exc:
                problems.append(exc.diagnostic)
                return result(False)
            staging.write(page.path, html.encode("utf-8"))
        for asset in sorted(STATIC.rglob("*")):
            if asset.is_file():
                staging.write("assets/" + asset.relative_to(STATIC).as_posix(), asset.read_bytes())
        t = lap("render", t)
        staging.prune()
        leaks = _leaks(staging, withheld)
        if leaks:
            problems.extend(leaks)
            return result(False)
        t = lap("scan", t)
        staging.swap()
        lap("swap", t)
        return result(
            True,
            pages=len(plan),
            written=staging.stats.written,
            unchanged=staging.stats.unchanged,
            removed=staging.stats.removed,
        )


def _leaks(staging: Staging, withheld: model.Withheld) -> list[Diagnostic]:
    """Fail if any output file or file name carries a withheld item's title or slug."""
    problems = []
    files = list(staging.all_files())
    slugs = set(withheld.slugs)
    for rel in files:
        parts = set(rel.split("/"))
        if parts & slugs:
            problems.append(
                Diagnostic(rel, None, None, "output file name reveals a withheld (classified) item")
            )
    needles = list(withheld.titles)
    for slug in withheld.slugs:
        needles += [f"items/{slug}/", f"items/{quote(slug)}/"]
    pattern = leak_pattern(needles)
    if pattern is not None:
        for rel in scan_for_leaks(staging.path, files, pattern):
            problems.append(
                Diagnostic(
                    rel,
                    None,
                    None,
                    "output contains the title or address of a withheld (classified) item; "
                    "a layout must be leaking it — nothing was published",
                )
            )
    return problems
