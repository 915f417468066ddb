"""Command line: bulletin build | check | new | review | import | stats | serve | watch |
new-issue | export.

The arguments are read by ``arguments.parse_command_line``; each command's handler is
here (the documents' in ``document_commands``), printing its messages in the language of
the site (``--lang`` overrides it).
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from . import document_commands
from .arguments import parse_command_line
from .clock import site_today
from .config import read_language
from .diagnostics import BulletinError, Diagnostic, report
from .messages import (
    CATALOGUE,
    DEFAULT_LANGUAGE,
    Message,
    listing,
    msg,
)

if TYPE_CHECKING:
    from .config import SiteConfig

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_command_line(argv)
    try:
        if args.command in ("build", "check"):
            return cmd_build(args)
        if args.command == "new":
            return cmd_new(args)
        if args.command == "review":
            return cmd_review(args)
        if args.command == "import":
            return cmd_import(args)
        if args.command == "stats":
            return cmd_stats(args)
        if args.command in ("serve", "watch"):
            return cmd_live(args)
        if args.command in ("new-issue", "export"):
            return cmd_document(args)
    except KeyboardInterrupt:
        say(msg("cli.interrupted"), args.language)
        return 130
    except OSError as exc:
        # a path the system refuses (a name too long, no permission, a full disk) that no
        # check before named: one line in the language of messages, never a traceback;
        # the build swaps in only a finished staging tree, so the last good site stays
        say(os_error_message(exc), args.language)
        return EXIT_CONTENT
    raise AssertionError(f"command {args.command!r} has no handler")  # pragma: no cover


def os_error_message(exc: OSError) -> Message:
    """The message for ``exc``: the path it names and the reason, in the catalogue's
    words for the reasons an editor can act on (ENAMETOOLONG, EACCES/EPERM, ENOSPC)."""
    reasons = {
        errno.ENAMETOOLONG: "cli.name_too_long",
        errno.EACCES: "cli.no_permission",
        errno.EPERM: "cli.no_permission",
        errno.ENOSPC: "cli.disk_full",
    }
    reason = (
        msg(reasons[exc.errno])
        if exc.errno in reasons
        else msg("cli.os_other", error=exc.strerror or str(exc))
    )
    return msg("cli.os_error", path=str(exc.filename or ""), reason=reason)


def say(message: Message, language: str, stream: TextIO | None = None) -> None:
    """Print ``message`` in ``language`` on ``stream`` (default: stderr)."""
    out = stream if stream is not None else sys.stderr
    print(message.render(language), file=out)


def cmd_document(args: argparse.Namespace) -> int:
    """bulletin new-issue | export (``document_commands``)."""
    root = _site_dir(args.site, args.language)
    if root is None:
        return EXIT_USAGE
    config = _load_config(root, _language(args, None))
    if config is None:
        return EXIT_CONTENT
    return document_commands.run(args, config, _language(args, config))


def cmd_live(args: argparse.Namespace) -> int:
    """bulletin serve | watch: run until Ctrl-C or SIGTERM."""
    root = _site_dir(args.site, args.language)
    if root is None:
        return EXIT_USAGE
    if args.command == "serve":
        from .serve import ServeSettings, run_serve

        settings = ServeSettings(
            host=args.host,
            port=args.port,
            drafts=args.drafts,
            today=args.today,
            search=not args.no_search,
            language=args.lang,
        )
        return run_serve(root, settings)
    from .console import WatchSettings, run_watch

    output = None if args.output is None else args.output.resolve()
    return run_watch(root, WatchSettings(output=output, language=args.lang))


def terminal_progress(
    stream: TextIO, language: str = DEFAULT_LANGUAGE
) -> Callable[[str, int, int], None] | None:
    """A one-line progress display on a terminal; None (silence) for pipes, CI and logs."""
    if not stream.isatty() or os.environ.get("CI"):
        return None
    last = [0.0]

    def show(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < 0.1:
            return
        last[0] = now
        label_id = f"progress.{stage}"
        label = msg(label_id).render(language) if label_id in CATALOGUE else stage
        stream.write(f"\r\033[K{label}: {done}/{total}")
        stream.flush()

    return show


def _load_config(root: Path, language: str) -> SiteConfig | None:
    """The site's config, or None after printing its problems (in ``language``)."""
    from .config import load_config

    try:
        return load_config(root)
    except BulletinError as exc:
        report(exc.diagnostics, language=language)
        return None


def _site_dir(path: Path, language: str) -> Path | None:
    if not path.is_dir():
        say(msg("cli.not_a_dir", path=str(path)), language)
        return None
    return path.resolve()


def _language(args: argparse.Namespace, config: SiteConfig | None) -> str:
    """The language of messages: ``--lang``, else the site's, else the guess made before."""
    if args.lang:
        return str(args.lang)
    return config.language if config is not None else str(args.language)


def _plural(n: int, language: str) -> str:
    return "s" if n != 1 and language == "en" else ""


def _cell_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def summary_table(rows: Sequence[tuple[str, int]]) -> str:
    """The build summary: label | number, aligned for CJK labels as well."""
    width = max(_cell_width(label) for label, _n in rows)
    lines = [" " * width + " | ", "-" * (width + 1) + "+" + "-" * 8]
    for label, value in rows:
        pad = " " * (width - _cell_width(label))
        lines.append(f"{label}{pad} | {value:>6}")
    return "\n".join(lines) + "\n"


def cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildOptions, build

    language = _language(args, None)
    root = _site_dir(args.site, language)
    if root is None:
        return EXIT_USAGE
    checking = args.command == "check"
    if not args.lang:  # the site's own language, if its site.toml says one
        language = read_language(root)
    options = BuildOptions(
        drafts=args.drafts,
        output=None if checking or args.output is None else args.output.resolve(),
        today=getattr(args, "today", None),
        write=not checking,
        strict=args.strict,
        search=not getattr(args, "no_search", False),
        cache=not getattr(args, "no_cache", False),
        jobs=getattr(args, "jobs", None),
        progress=terminal_progress(sys.stderr, language),
    )
    result = build(root, options)
    if options.progress is not None:
        sys.stderr.write("\r\033[K")
    report(result.diagnostics, language=language)
    if not result.ok:
        n = len(result.errors) or len(result.warnings)
        kind = "errors" if result.errors else "warnings"
        message_id = f"cli.{'check' if checking else 'failed'}_{kind}"
        say(msg(message_id, n=n, s=_plural(n, language)), language)
        return EXIT_CONTENT

    def label(message_id: str) -> str:
        return msg(message_id).render(language)

    rows = [
        (label("summary.items"), result.items),
        (label("summary.withheld"), result.withheld),
        (label("summary.drafts"), result.drafts_skipped),
        (label("summary.pending"), result.awaiting_signoff),
        (label("summary.warnings"), len(result.warnings)),
    ]
    if not checking:
        rows[1:1] = [
            (label("summary.pages"), result.pages),
            (label("summary.rendered"), result.rendered),
            (label("summary.written"), result.written),
        ]
    sys.stdout.write(summary_table(rows))
    if checking:
        done = msg("summary.checked", seconds=result.seconds)
    elif result.up_to_date:
        done = msg("summary.up_to_date", seconds=result.seconds, output=str(result.output))
    else:
        done = msg("summary.built", seconds=result.seconds, output=str(result.output))
    say(done, language, sys.stdout)
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    """bulletin new: write a draft item file that ``bulletin check`` accepts, or nothing.

    The draft has ``status: draft``, empty ``reviewed-by``/``approved-by`` for the sign-off
    and its category's body skeleton (``skeletons``); the next steps are printed.
    """
    from .content import file_name_problem
    from .schema import FieldError, category_id, one_line, unit_id
    from .skeletons import new_item_text, slug_for, write_new_item

    root = _site_dir(args.site, args.language)
    if root is None:
        return EXIT_USAGE
    config = _load_config(root, _language(args, None))
    if config is None:
        return EXIT_CONTENT
    language = _language(args, config)
    where = msg("cli.command_line").render(language)
    problems = []
    values: dict[str, str] = {}
    for field, parse, value in (
        ("category", category_id, args.category),
        ("unit", unit_id, args.unit),
        ("title", one_line, args.title),
    ):
        try:
            values[field] = parse(value, config)
        except FieldError as exc:
            problems.append(Diagnostic(where, None, field, exc.message))
    date = site_today(config, args.date)
    slug = args.slug if args.slug is not None else slug_for(args.title, date)
    name_problem = file_name_problem(slug)
    if name_problem is not None:  # the rule `bulletin check` applies to every item file
        problems.append(
            Diagnostic(
                where,
                None,
                "slug",
                # control characters and bytes that are not UTF-8 are shown escaped
                msg(
                    "cli.slug_problem",
                    slug=slug if slug.isprintable() else repr(slug)[1:-1],
                    problem=name_problem,
                ),
            )
        )
    if problems:
        report(problems, language=language)
        return EXIT_USAGE
    unit, category = values["unit"], values["category"]
    text = new_item_text(values["title"], unit, category, date, config)
    rel, problem = write_new_item(config, unit, slug, text)
    if problem is not None:
        say(problem, language)
        return EXIT_CONTENT
    print(rel)
    say(msg("cli.new_next", path=rel), language)
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    """bulletin review: the items awaiting sign-off (校核、审批), by unit, with the file, the
    title and what is missing. Exit 0; 1 if items cannot be read (their errors printed)."""
    from .build import load_sources
    from .model import is_pending, missing_signoff

    root = _site_dir(args.site, args.language)
    if root is None:
        return EXIT_USAGE
    config = _load_config(root, _language(args, None))
    if config is None:
        return EXIT_CONTENT
    language = _language(args, config)
    items, problems = load_sources(config)
    errors = [d for d in problems if d.is_error]
    report(errors, language=language)
    if not config.require_signoff:
        say(msg("review.off"), language, sys.stdout)
        return EXIT_CONTENT if errors else EXIT_OK
    pending = [i for i in items if is_pending(i, config)]
    if not pending:
        say(msg("review.none"), language, sys.stdout)
        return EXIT_CONTENT if errors else EXIT_OK
    out: list[str] = [msg("review.heading", n=len(pending)).render(language), ""]
    names = {key: msg(f"review.{key.replace('-', '_')}") for key in ("reviewed-by", "approved-by")}
    for unit in config.units:
        mine = sorted((i for i in pending if i.unit == unit.id), key=lambda i: i.path)
        if not mine:
            continue
        out.append(msg("review.unit", name=unit.name, n=len(mine)).render(language))
        for item in mine:
            missing = listing(names[key] for key in missing_signoff(item))
            out.append(f"  {item.path}")
            out.append(f"    {item.title}")
            out.append(f"    {msg('review.missing', what=missing).render(language)}")
        out.append("")
    sys.stdout.write("\n".join(out))
    return EXIT_CONTENT if errors else EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    """bulletin import FILE|DIR: Word or text documents → draft items (``importer``)."""
    from .importer import run_import

    root = _site_dir(args.site, args.language)
    if root is None:
        return EXIT_USAGE
    config = _load_config(root, _language(args, None))
    if config is None:
        return EXIT_CONTENT
    return run_import(
        root,
        config,
        args.source,
        unit=args.unit,
        category=args.category,
        date=args.date,
        language=_language(args, config),
    )


def cmd_stats(args: argparse.Namespace) -> int:
    """The figures of /stats/<year>/ in the terminal (table), or its CSV/JSON export."""
    from . import stats
    from .build import load_site
    from .plan import reports

    root = _site_dir(args.site, args.language)
    if root is None:
        return EXIT_USAGE
    config = _load_config(root, _language(args, None))
    if config is None:
        return EXIT_CONTENT
    language = _language(args, config)
    site, problems = load_site(config)
    errors = [d for d in problems if d.is_error]
    if errors:
        report(errors, language=language)
        say(msg("cli.stats_errors", n=len(errors)), language)
        return EXIT_CONTENT
    today = site_today(config, args.today)
    years = stats.stats_years(site)
    year = args.year if args.year is not None else (years[0] if years else today.year)
    if year not in years:
        say(msg("cli.no_items_in_year", year=year), language)
    ys = stats.year_stats(site, year, today)
    out = sys.stdout
    if args.format == "json":
        out.buffer.write(reports.stats_json(ys, site))
    elif args.format == "csv":
        out.buffer.write(reports.stats_csv(ys, site))
    else:
        out.write(reports.stats_table(ys, site))
    out.flush()
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
