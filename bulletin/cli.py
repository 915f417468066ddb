"""Command line: bulletin build | check | new | stats | serve | watch | new-issue | export."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from . import __version__, document_commands
from .clock import site_today, start_of_day
from .diagnostics import BulletinError, Diagnostic, report

if TYPE_CHECKING:
    from .config import SiteConfig

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {value!r}") from None


def make_parsers() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The ``bulletin`` argument parser, and each command's own parser by name."""
    parser = argparse.ArgumentParser(
        prog="bulletin",
        description="Build the information-bulletin site of a party-committee office.",
    )
    parser.add_argument("--version", action="version", version=f"bulletin {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    b = sub.add_parser("build", help="build the site into its output directory")
    b.add_argument("site", nargs="?", default=".", type=Path, metavar="SITE_DIR")
    b.add_argument(
        "--output", type=Path, metavar="DIR", help="output directory (default: output_dir)"
    )
    b.add_argument("--drafts", action="store_true", help="include drafts, marked 草稿")
    b.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="date used for overdue states")
    b.add_argument("--strict", action="store_true", help="fail on warnings too")
    b.add_argument("--no-search", action="store_true", help="skip the search index")
    b.add_argument("--no-cache", action="store_true", help="ignore and do not write the cache")
    b.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: CPUs)")

    c = sub.add_parser("check", help="validate content and config; write nothing")
    c.add_argument("site", nargs="?", default=".", type=Path, metavar="SITE_DIR")
    c.add_argument("--drafts", action="store_true")
    c.add_argument("--strict", action="store_true", help="fail on warnings too")

    n = sub.add_parser("new", help="write a new item file with correct front matter")
    n.add_argument("category", metavar="CATEGORY")
    n.add_argument("site", nargs="?", default=".", type=Path, metavar="SITE_DIR")
    n.add_argument("--unit", required=True, metavar="ID")
    n.add_argument("--title", required=True, metavar="TEXT")
    n.add_argument("--date", type=_date, metavar="YYYY-MM-DD")
    n.add_argument("--slug", metavar="SLUG", help="file stem (default: date and title)")

    s = sub.add_parser("stats", help="print a year's reporting figures, quotas, ranks, criticism")
    s.add_argument("site", nargs="?", default=".", type=Path, metavar="SITE_DIR")
    s.add_argument("--year", type=int, metavar="YEAR", help="default: the latest year with items")
    s.add_argument("--format", choices=("table", "csv", "json"), default="table")
    s.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="date used for open quarters")

    v = sub.add_parser("serve", help="serve on loopback, rebuild and live-reload on every change")
    v.add_argument("site", nargs="?", default=".", type=Path, metavar="SITE_DIR")
    v.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1; another address is reachable by others)",
    )
    v.add_argument("--port", type=_port, default=8000, help="TCP port (default 8000; 0: any)")
    v.add_argument("--drafts", action="store_true", help="include drafts, marked 草稿")
    v.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="date used for overdue states")
    v.add_argument("--no-search", action="store_true", help="skip the search index")

    w = sub.add_parser("watch", help="rebuild the output whenever the sources change")
    w.add_argument("site", nargs="?", default=".", type=Path, metavar="SITE_DIR")
    w.add_argument(
        "--output", type=Path, metavar="DIR", help="output directory (default: output_dir)"
    )
    documents = document_commands.add_commands(sub, _date)
    commands = dict(sub.choices)
    del commands["export"]  # its documents take the arguments: "export issue"…
    return parser, {**commands, **documents}


def parse_command_line(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``argv`` (default: the process's arguments) as a namespace with ``command`` set.

    A command's options and positional arguments may come in any order, as its ``--help``
    and the README show them: ``bulletin new briefing --unit chengguan --title T site/``
    as well as ``bulletin new briefing site/ --unit chengguan --title T``. Plain argparse
    settles an optional positional (SITE_DIR) at the first option and then refuses it
    after the options ("unrecognized arguments"); each command's parser reads its
    arguments with argparse's intermixed parsing instead (which the top-level parser,
    holding the sub-commands, cannot use). A command of two words (``export issue``) is
    read the same way by the parser of its second word. Usage errors exit with status 2,
    as argparse's.
    """
    words = list(sys.argv[1:] if argv is None else argv)
    parser, commands = make_parsers()
    for n in (2, 1):
        name = " ".join(words[:n])
        if len(words) >= n and name in commands:
            args = commands[name].parse_intermixed_args(words[n:])
            args.command = words[0]
            return args
    return parser.parse_args(words)  # no command, --version, --help, or a usage error


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_command_line(argv)
    try:
        if args.command in ("build", "check"):
            return cmd_build(args)
        if args.command == "new":
            return cmd_new(args)
        if args.command == "stats":
            return cmd_stats(args)
        if args.command in ("serve", "watch"):
            return cmd_live(args)
        if args.command in ("new-issue", "export"):
            return cmd_document(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    raise AssertionError(f"command {args.command!r} has no handler")  # pragma: no cover


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a TCP port 0-65535: {value!r}")
    return port


def cmd_document(args: argparse.Namespace) -> int:
    """bulletin new-issue | export (``document_commands``)."""
    root = _site_dir(args.site)
    if root is None:
        return EXIT_USAGE
    config = _load_config(root)
    if config is None:
        return EXIT_CONTENT
    return document_commands.run(args, config)


def cmd_live(args: argparse.Namespace) -> int:
    """bulletin serve | watch: run until Ctrl-C or SIGTERM."""
    root = _site_dir(args.site)
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
        )
        return run_serve(root, settings)
    from .console import WatchSettings, run_watch

    output = None if args.output is None else args.output.resolve()
    return run_watch(root, WatchSettings(output=output))


def terminal_progress(stream: TextIO) -> Callable[[str, int, int], None] | None:
    """A one-line progress display on a terminal; None (silence) for pipes, CI and logs."""
    if not stream.isatty() or os.environ.get("CI"):
        return None
    labels = {"read": "items read", "render": "pages written", "search": "search indexing"}
    last = [0.0]

    def show(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < 0.1:
            return
        last[0] = now
        stream.write(f"\r\033[K{labels.get(stage, stage)}: {done}/{total}")
        stream.flush()

    return show


def _load_config(root: Path) -> SiteConfig | None:
    """The site's config, or None after printing its problems."""
    from .config import load_config

    try:
        return load_config(root)
    except BulletinError as exc:
        report(exc.diagnostics)
        return None


def _site_dir(path: Path) -> Path | None:
    if not path.is_dir():
        print(f"bulletin: {path}: not a directory", file=sys.stderr)
        return None
    return path.resolve()


def cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildOptions, build

    root = _site_dir(args.site)
    if root is None:
        return EXIT_USAGE
    checking = args.command == "check"
    options = BuildOptions(
        drafts=args.drafts,
        output=None if checking or args.output is None else args.output.resolve(),
        today=getattr(args, "today", None),
        write=not checking,
        strict=args.strict,
        search=not getattr(args, "no_search", False),
        cache=not getattr(args, "no_cache", False),
        jobs=getattr(args, "jobs", None),
        progress=terminal_progress(sys.stderr),
    )
    result = build(root, options)
    if options.progress is not None:
        sys.stderr.write("\r\033[K")
    report(result.diagnostics)
    if not result.ok:
        n = len(result.errors) or len(result.warnings)
        what = "error" if result.errors else "warning (--strict)"
        print(
            f"bulletin: {n} {what}{'s' if n != 1 else ''}; "
            + ("nothing was written" if not checking else "see above"),
            file=sys.stderr,
        )
        return EXIT_CONTENT
    rows = [
        ("Items", result.items),
        ("Withheld (classified)", result.withheld),
        ("Drafts skipped", result.drafts_skipped),
        ("Warnings", len(result.warnings)),
    ]
    if not checking:
        rows[1:1] = [
            ("Pages", result.pages),
            ("Pages rendered", result.rendered),
            ("Files written", result.written),
        ]
    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}} | ")
    print("-" * (width + 1) + "+" + "-" * 8)
    for label, value in rows:
        print(f"{label:<{width}} | {value:>6}")
    if checking:
        print(f"Checked in {result.seconds:.2f} s: no errors")
    elif result.up_to_date:
        print(f"Up to date in {result.seconds:.2f} s (no input changed) → {result.output}")
    else:
        print(f"Built in {result.seconds:.2f} s → {result.output}")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    """bulletin new: write an item file that ``bulletin check`` accepts, or nothing."""
    import json
    import re

    from .content import ITEM_SUFFIX, file_name_problem
    from .schema import FieldError, category_id, one_line, unit_id

    root = _site_dir(args.site)
    if root is None:
        return EXIT_USAGE
    config = _load_config(root)
    if config is None:
        return EXIT_CONTENT
    problems = []
    for field, parse, value in (
        ("category", category_id, args.category),
        ("unit", unit_id, args.unit),
        ("title", one_line, args.title),
    ):
        try:
            parse(value, config)
        except FieldError as exc:
            problems.append(Diagnostic("(command line)", None, field, str(exc)))
    date = site_today(config, args.date)
    if args.slug is not None:
        slug = args.slug
    else:
        words = re.sub(r"[^0-9A-Za-z一-鿿-]+", "-", args.title).strip("-")[:40].strip("-")
        slug = f"{date.isoformat()}-{words}" if words else date.isoformat()
    name_problem = file_name_problem(slug)
    if name_problem is not None:  # the rule `bulletin check` applies to every item file
        problems.append(
            Diagnostic("(command line)", None, "slug", f"{slug!r} {name_problem}; choose another")
        )
    if problems:
        report(problems)
        return EXIT_USAGE
    path = config.content_dir / args.unit / f"{slug}{ITEM_SUFFIX}"
    rel = path.relative_to(root).as_posix()
    if path.exists():
        print(f"bulletin: {rel} already exists; not overwritten", file=sys.stderr)
        return EXIT_CONTENT
    for dirpath, _dirs, files in os.walk(config.content_dir):
        if f"{slug}{ITEM_SUFFIX}" in files:
            other = Path(dirpath, f"{slug}{ITEM_SUFFIX}").relative_to(root).as_posix()
            print(
                f"bulletin: {other} already uses the slug {slug!r} (slugs are unique); "
                "choose another with --slug",
                file=sys.stderr,
            )
            return EXIT_CONTENT
    # A JSON string is a valid YAML double-quoted scalar: quotes and backslashes survive.
    title = json.dumps(args.title.strip(), ensure_ascii=False)
    extra = _category_template(args.category, args.unit, date, config)
    text = (
        f"---\ntitle: {title}\nunit: {args.unit}\ncategory: {args.category}\n"
        f"date: {date.isoformat()}\n{extra}---\n\n"
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8") as fh:  # never over a file made meanwhile
            fh.write(text)
    except FileExistsError:
        print(f"bulletin: {rel} already exists; not overwritten", file=sys.stderr)
        return EXIT_CONTENT
    except OSError as exc:
        print(f"bulletin: {rel}: cannot write: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_CONTENT
    print(rel)
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    """The figures of /stats/<year>/ in the terminal (table), or its CSV/JSON export."""
    from . import stats
    from .build import load_site
    from .plan import reports

    root = _site_dir(args.site)
    if root is None:
        return EXIT_USAGE
    config = _load_config(root)
    if config is None:
        return EXIT_CONTENT
    site, problems = load_site(config)
    errors = [d for d in problems if d.is_error]
    if errors:
        report(errors)
        print(f"bulletin: {len(errors)} error(s); figures not computed", file=sys.stderr)
        return EXIT_CONTENT
    today = site_today(config, args.today)
    years = stats.stats_years(site)
    year = args.year if args.year is not None else (years[0] if years else today.year)
    if year not in years:
        print(f"bulletin: no published item in {year}", file=sys.stderr)
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


def _category_template(category: str, unit: str, date: dt.date, config: SiteConfig) -> str:
    if category == "emergency":
        moment = start_of_day(date, config.zone).isoformat()  # with the site's offset
        return f"occurred: {moment}\nreported: {moment}\n"
    if category == "supervision":
        return f"assignees: [{unit}]\ndue: {(date + dt.timedelta(days=30)).isoformat()}\n"
    if category == "commendation":
        return f"honorees:\n  - {{name: 待填写, unit: {unit}, kind: collective}}\n"
    return ""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
