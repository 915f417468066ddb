"""Command line: bulletin build | check | new | stats | serve | watch."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .diagnostics import BulletinError, Diagnostic, report

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {value!r}") from None


def make_parser() -> argparse.ArgumentParser:
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        if args.command in ("build", "check"):
            return cmd_build(args)
        if args.command == "new":
            return cmd_new(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


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
    )
    result = build(root, options)
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
        rows[1:1] = [("Pages", result.pages), ("Files written", result.written)]
    width = max(len(r[0]) for r in rows)
    print(f"{'':{width}} | ")
    print("-" * (width + 1) + "+" + "-" * 8)
    for label, value in rows:
        print(f"{label:<{width}} | {value:>6}")
    if checking:
        print(f"Checked in {result.seconds:.2f} s: no errors")
    else:
        print(f"Built in {result.seconds:.2f} s → {result.output}")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    import re

    from .config import load_config
    from .schema import FieldError, category_id, one_line, unit_id

    root = _site_dir(args.site)
    if root is None:
        return EXIT_USAGE
    try:
        config = load_config(root)
    except BulletinError as exc:
        report(exc.diagnostics)
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
    if problems:
        report(problems)
        return EXIT_USAGE
    date = args.date or config.today or dt.date.today()
    slug = (
        args.slug
        or f"{date.isoformat()}-{re.sub(r'[^0-9A-Za-z一-鿿-]+', '-', args.title).strip('-')[:40]}"
    )
    path = config.content_dir / args.unit / f"{slug}.md"
    if path.exists():
        print(
            f"bulletin: {path.relative_to(root)} already exists; not overwritten", file=sys.stderr
        )
        return EXIT_CONTENT
    title = args.title.replace('"', '\\"')
    extra = _category_template(args.category, args.unit, date)
    text = (
        f'---\ntitle: "{title}"\nunit: {args.unit}\ncategory: {args.category}\n'
        f"date: {date.isoformat()}\n{extra}---\n\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(path.relative_to(root).as_posix())
    return EXIT_OK


def _category_template(category: str, unit: str, date: dt.date) -> str:
    if category == "emergency":
        moment = f"{date.isoformat()}T00:00:00+08:00"
        return f"occurred: {moment}\nreported: {moment}\n"
    if category == "supervision":
        return f"assignees: [{unit}]\ndue: {(date + dt.timedelta(days=30)).isoformat()}\n"
    if category == "commendation":
        return f"honorees:\n  - {{name: 待填写, unit: {unit}, kind: collective}}\n"
    return ""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
