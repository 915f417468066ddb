"""Command line: bulletin build | check | new | stats | serve | watch."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import os
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from . import __version__, clock
from .config import CONFIG_FILE, read_language
from .diagnostics import BulletinError, Diagnostic, report
from .messages import (
    ARGPARSE_ZH,
    CATALOGUE,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Message,
    listing,
    msg,
)

if TYPE_CHECKING:
    from .config import SiteConfig

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
COMMANDS = ("build", "check", "new", "review", "import", "stats", "serve", "watch")


def _date(value: str, language: str = DEFAULT_LANGUAGE) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problem = msg("cli.bad_date", value=repr(value)).render(language)
        raise argparse.ArgumentTypeError(problem) from None


def _help(message_id: str, language: str) -> str:
    # argparse expands "%" in help texts
    return msg(message_id).render(language).replace("%", "%%")


def make_parsers(
    language: str = DEFAULT_LANGUAGE, site: Path | None = None
) -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The ``bulletin`` argument parser, and each command's own parser by name, with help
    texts in ``language``; ``bulletin new --help`` lists the units and categories of the
    site at ``site`` (if it can be read)."""

    def h(message_id: str) -> str:
        return _help(message_id, language)

    date_type = functools.partial(_date, language=language)
    port_type = functools.partial(_port, language=language)

    parser = argparse.ArgumentParser(prog="bulletin", description=h("help.description"))
    parser.add_argument(
        "--version", action="version", version=f"bulletin {__version__}", help=h("help.version")
    )
    parser.add_argument("--lang", choices=LANGUAGES, help=h("help.lang"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_id: str, **kw: object) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=h(help_id), description=h(help_id), **kw)  # type: ignore[arg-type]
        p.add_argument("--lang", choices=LANGUAGES, help=h("help.lang"))
        return p

    def site_dir(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "site", nargs="?", default=".", type=Path, metavar="SITE_DIR", help=h("help.site")
        )

    b = command("build", "help.build")
    site_dir(b)
    b.add_argument("--output", type=Path, metavar="DIR", help=h("help.output"))
    b.add_argument("--drafts", action="store_true", help=h("help.drafts"))
    b.add_argument("--today", type=date_type, metavar="YYYY-MM-DD", help=h("help.today"))
    b.add_argument("--strict", action="store_true", help=h("help.strict"))
    b.add_argument("--no-search", action="store_true", help=h("help.no_search"))
    b.add_argument("--no-cache", action="store_true", help=h("help.no_cache"))
    b.add_argument(
        "--jobs", type=functools.partial(_jobs, language=language), metavar="N", help=h("help.jobs")
    )

    c = command("check", "help.check")
    site_dir(c)
    c.add_argument("--drafts", action="store_true", help=h("help.drafts"))
    c.add_argument("--strict", action="store_true", help=h("help.strict"))

    n = command(
        "new",
        "help.new",
        epilog=_site_ids(site, language),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    n.add_argument("category", metavar="CATEGORY", help=h("help.category"))
    site_dir(n)
    n.add_argument("--unit", required=True, metavar="ID", help=h("help.unit"))
    n.add_argument("--title", required=True, metavar="TEXT", help=h("help.title"))
    n.add_argument("--date", type=date_type, metavar="YYYY-MM-DD", help=h("help.date"))
    n.add_argument("--slug", metavar="SLUG", help=h("help.slug"))

    r = command("review", "help.review")
    site_dir(r)

    i = command(
        "import",
        "help.import",
        epilog=_site_ids(site, language),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    i.add_argument("source", type=Path, metavar="FILE|DIR", help=h("help.import_source"))
    site_dir(i)
    i.add_argument("--unit", required=True, metavar="ID", help=h("help.unit"))
    i.add_argument("--category", metavar="C", help=h("help.import_category"))
    i.add_argument("--date", type=date_type, metavar="YYYY-MM-DD", help=h("help.import_date"))

    s = command("stats", "help.stats")
    site_dir(s)
    s.add_argument(
        "--year",
        type=functools.partial(_year, language=language),
        metavar="YEAR",
        help=h("help.year"),
    )
    s.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help=h("help.format")
    )
    s.add_argument("--today", type=date_type, metavar="YYYY-MM-DD", help=h("help.today"))

    v = command("serve", "help.serve")
    site_dir(v)
    v.add_argument("--host", default="127.0.0.1", help=h("help.host"))
    v.add_argument("--port", type=port_type, default=8000, help=h("help.port"))
    v.add_argument("--drafts", action="store_true", help=h("help.drafts"))
    v.add_argument("--today", type=date_type, metavar="YYYY-MM-DD", help=h("help.today"))
    v.add_argument("--no-search", action="store_true", help=h("help.no_search"))

    w = command("watch", "help.watch")
    site_dir(w)
    w.add_argument("--output", type=Path, metavar="DIR", help=h("help.output"))
    # argparse's intermixed parsing keeps a command's usage as format_usage()[7:], cutting
    # the English "usage: " by its length; the usage line is given ready-made instead.
    prefix = ARGPARSE_ZH["usage: "] if language == "zh-CN" else "usage: "
    for command_parser in sub.choices.values():
        usage = command_parser.format_usage()
        if usage.startswith(prefix):
            command_parser.usage = usage[len(prefix) :].rstrip("\n")
    return parser, dict(sub.choices)


def _site_ids(site: Path | None, language: str) -> str:
    """The units and categories of the site at ``site``, for ``--help`` (ids and names)."""
    from .config import load_config

    try:
        config = load_config(site) if site is not None else None
    except BulletinError:
        config = None
    if config is None:
        return msg("help.no_site").render(language)
    units = "\n".join(f"  {u.id:<16} {u.name}" for u in config.units)
    categories = "\n".join(f"  {c.id:<16} {c.name}" for c in config.categories)
    return msg("help.site_ids", units=units, categories=categories).render(language)


@contextlib.contextmanager
def argparse_language(language: str) -> Iterator[None]:
    """argparse's own words (usage, its errors) in ``language`` while parsing.

    argparse looks each of its messages up through the module-level ``gettext`` names it
    imported (``argparse._``, ``argparse.ngettext``); they are pointed at
    ``messages.ARGPARSE_ZH`` for Chinese and put back afterwards.
    """
    if language != "zh-CN":
        yield
        return
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]

    def zh(text: str) -> str:
        return ARGPARSE_ZH.get(text, text)

    def zh_n(singular: str, plural: str, n: int) -> str:
        return zh(singular if n == 1 else plural)

    argparse._, argparse.ngettext = zh, zh_n  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def guess_site(words: Sequence[str]) -> Path | None:
    """The site a command line is about, before it is parsed: the first word that is a
    directory holding site.toml, else the current directory if it holds one."""
    for word in words:
        if not word.startswith("-") and (Path(word) / CONFIG_FILE).is_file():
            return Path(word)
    return Path(".") if Path(CONFIG_FILE).is_file() else None


def pick_language(words: Sequence[str], site: Path | None) -> str:
    """The language of messages before the site's config is read (usage errors, --help, a
    site.toml that cannot be read): ``--lang`` if given, else the ``language`` of the
    site's site.toml if it can be read that far, else ``DEFAULT_LANGUAGE`` (zh-CN)."""
    for i, word in enumerate(words):
        value = None
        if word == "--lang" and i + 1 < len(words):
            value = words[i + 1]
        elif word.startswith("--lang="):
            value = word.split("=", 1)[1]
        if value in LANGUAGES:
            return value
    return read_language(site) if site is not None else DEFAULT_LANGUAGE


def parse_command_line(
    argv: Sequence[str] | None = None, language: str | None = None
) -> argparse.Namespace:
    """``argv`` (default: the process's arguments) as a namespace with ``command`` set,
    and ``language``: the language of messages until the site's config says otherwise.

    A command's options and positional arguments may come in any order, as its ``--help``
    and the README show them: ``bulletin new briefing --unit chengguan --title T site/``
    as well as ``bulletin new briefing site/ --unit chengguan --title T``. Plain argparse
    settles an optional positional (SITE_DIR) at the first option and then refuses it
    after the options ("unrecognized arguments"); each command's parser reads its
    arguments with argparse's intermixed parsing instead (which the top-level parser,
    holding the sub-commands, cannot use). Usage errors exit with status 2, as argparse's,
    in the language of ``pick_language``.
    """
    words = list(sys.argv[1:] if argv is None else argv)
    site = guess_site(words)
    language = language or pick_language(words, site)
    with argparse_language(language):
        parser, commands = make_parsers(language, site)
        rest = words
        if rest[:1] == ["--lang"] and len(rest) > 2:
            rest = rest[2:]
        elif rest[:1] and rest[0].startswith("--lang="):
            rest = rest[1:]
        if rest and rest[0] in commands:
            args = commands[rest[0]].parse_intermixed_args(rest[1:])
            args.command = rest[0]
        else:
            args = parser.parse_args(words)  # no command, --version, --help, or a usage error
    args.language = args.lang or language
    return args


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
    except KeyboardInterrupt:
        say(msg("cli.interrupted"), args.language)
        return 130
    raise AssertionError(f"command {args.command!r} has no handler")  # pragma: no cover


def say(message: Message, language: str, stream: TextIO | None = None) -> None:
    """Print ``message`` in ``language`` on ``stream`` (default: stderr)."""
    out = stream if stream is not None else sys.stderr
    print(message.render(language), file=out)


def _port(value: str, language: str = DEFAULT_LANGUAGE) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(msg("cli.bad_port", value=repr(value)).render(language))
    return port


def _jobs(value: str, language: str = DEFAULT_LANGUAGE) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(msg("cli.bad_jobs", value=repr(value)).render(language))
    return jobs


def _year(value: str, language: str = DEFAULT_LANGUAGE) -> int:
    try:
        year = int(value)
    except ValueError:
        year = 0
    if not 1 <= year <= 9999:
        raise argparse.ArgumentTypeError(msg("cli.bad_year", value=repr(value)).render(language))
    return year


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
    date = args.date or clock.today(config)
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
    text = new_item_text(values["title"], unit, category, date, config.language)
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
    today = clock.today(config, args.today)
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
