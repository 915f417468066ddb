"""Command line of the office's documents: ``bulletin new-issue`` and ``bulletin export``.

``add_commands`` adds both to the parser ``bulletin.cli`` makes; ``cmd_new_issue`` and
``cmd_export`` run them and return the exit code (0 done, 1 content or config errors,
2 usage: an unknown bulletin or document, or the export extra not installed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from .diagnostics import BulletinError, Diagnostic, did_you_mean, report

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
FORMATS = ("pdf", "docx")


def add_commands(sub: Any, date_type: Any) -> None:
    """Add ``new-issue`` and ``export`` (with ``issue``, ``circular``, ``anthology``)."""
    n = sub.add_parser(
        "new-issue",
        help="write the next issue file of a bulletin, proposing the items not yet in one",
    )
    n.add_argument("bulletin", metavar="BULLETIN")
    n.add_argument("site", nargs="?", default=".", type=Path, metavar="SITE_DIR")
    n.add_argument("--number", type=int, metavar="N", help="default: the next free number")
    n.add_argument("--date", type=date_type, metavar="YYYY-MM-DD", help="default: today")

    e = sub.add_parser("export", help="write an issue, a circular or an anthology as PDF or Word")
    kinds = e.add_subparsers(dest="document", metavar="DOCUMENT", required=True)
    issue = kinds.add_parser("issue", help="a bulletin issue: BULLETIN YEAR NUMBER")
    issue.add_argument("bulletin", metavar="BULLETIN")
    issue.add_argument("year", type=int, metavar="YEAR")
    issue.add_argument("number", type=int, metavar="NUMBER")
    circ = kinds.add_parser("circular", help="a quarter's circular (通报): YEAR QUARTER")
    circ.add_argument("year", type=int, metavar="YEAR")
    circ.add_argument("quarter", type=int, choices=(1, 2, 3, 4), metavar="QUARTER")
    anth = kinds.add_parser("anthology", help="a year's research anthology: YEAR")
    anth.add_argument("year", type=int, metavar="YEAR")
    for p in (issue, circ, anth):
        p.add_argument("site", nargs="?", default=".", type=Path, metavar="SITE_DIR")
        p.add_argument("--format", choices=FORMATS, required=True)
        p.add_argument(
            "-o", "--output", type=Path, metavar="FILE", help="default: ./<name>.<format>"
        )
        p.add_argument("--today", type=date_type, metavar="YYYY-MM-DD", help="date of the figures")


def _site(path: Path) -> Any:
    """The site's config, or an exit code after printing why not."""
    from .config import load_config

    if not path.is_dir():
        print(f"bulletin: {path}: not a directory", file=sys.stderr)
        return EXIT_USAGE
    try:
        return load_config(path.resolve())
    except BulletinError as exc:
        report(exc.diagnostics)
        return EXIT_CONTENT


def _today(config: Any, given: dt.date | None) -> dt.date:
    return given or config.today or dt.date.today()


def cmd_export(args: argparse.Namespace) -> int:
    """bulletin export issue|circular|anthology … --format pdf|docx [-o FILE] [SITE_DIR]"""
    from . import export
    from .build import load_site

    try:
        export.require(args.format)
    except export.ExportUnavailable as exc:
        print(f"bulletin: {exc}", file=sys.stderr)
        return EXIT_USAGE
    config = _site(args.site)
    if isinstance(config, int):
        return config
    site, problems = load_site(config)
    errors = [d for d in problems if d.is_error]
    if errors:
        report(errors)
        print(f"bulletin: {len(errors)} error(s); nothing was exported", file=sys.stderr)
        return EXIT_CONTENT
    today = _today(config, args.today)
    if args.document == "issue":
        document = export.issue_document(site, args.bulletin, args.year, args.number)
        missing = f"no published issue {args.bulletin} {args.year} No. {args.number}"
        known = [f"{i.bulletin.id} {i.year} {i.number}" for i in site.issues]
    elif args.document == "circular":
        document = export.circular_document(site, args.year, args.quarter, today)
        missing = f"no circular for {args.year} Q{args.quarter} (not begun, or no items that year)"
        known = []
    else:
        document = export.anthology_document(site, args.year)
        missing = f"no anthology for {args.year} (no excellent research report that year)"
        known = []
    if document is None:
        hint = f"; the site has: {', '.join(known)}" if known else ""
        print(f"bulletin: {missing}{hint}", file=sys.stderr)
        return EXIT_USAGE
    target = args.output or Path(f"{document.filename}.{args.format}")
    from .templates import TemplateFailure

    try:
        if args.format == "pdf":
            from .export.pdf import cjk_fonts, document_pdf, has_cjk

            result = document_pdf(site, document.template, document.context, today)
            data = result.data
            print(f"fonts: {', '.join(result.fonts) or 'none'}", file=sys.stderr)
            found = cjk_fonts()
            if (found is not None and not found) or not has_cjk(result.fonts):
                print(
                    "bulletin: warning: no Chinese font found; Chinese text may print as "
                    "boxes (Debian: apt-get install fonts-noto-cjk)",
                    file=sys.stderr,
                )
        else:
            from .export.docx import document_docx

            data = document_docx(site, document.template, document.context, today)
    except TemplateFailure as exc:
        report([exc.diagnostic])
        return EXIT_CONTENT
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
    except OSError as exc:
        print(f"bulletin: cannot write {target}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(target)
    return EXIT_OK


def cmd_new_issue(args: argparse.Namespace) -> int:
    """bulletin new-issue BULLETIN [--number N] [--date D] [SITE_DIR]: the next issue file,
    a draft, with the items reported since the bulletin's previous issue that are in no
    issue of it yet proposed as a commented list."""
    from . import stats
    from .build import load_site
    from .issues import issue_label, read_issue_files

    config = _site(args.site)
    if isinstance(config, int):
        return config
    bulletin = config.bulletin(args.bulletin)
    if bulletin is None:
        ids = [b.id for b in config.bulletins]
        hint = did_you_mean(args.bulletin, ids) or (
            f" (bulletins: {', '.join(ids)})" if ids else " (site.toml has no [bulletins.<id>])"
        )
        report(
            [
                Diagnostic(
                    "(command line)", None, "bulletin", f'unknown bulletin "{args.bulletin}"{hint}'
                )
            ]
        )
        return EXIT_USAGE
    date = args.date or _today(config, None)
    documents, _problems = read_issue_files(config)
    mine = [s for s in documents.issues if s.bulletin == bulletin.id]
    used = {s.number: s.path for s in mine if s.year == date.year}
    number = args.number if args.number is not None else max(used, default=0) + 1
    if number < 1:
        report([Diagnostic("(command line)", None, "number", "must be 1 or more")])
        return EXIT_USAGE
    if number in used:
        print(
            f"bulletin: {issue_label(bulletin.name, date.year, number)} is already "
            f"{used[number]}; not overwritten",
            file=sys.stderr,
        )
        return EXIT_CONTENT
    path = config.content_dir / "issues" / bulletin.id / f"{date.year}-{number:03d}.md"
    if path.exists():
        print(
            f"bulletin: {path.relative_to(config.root)} already exists; not overwritten",
            file=sys.stderr,
        )
        return EXIT_CONTENT
    previous = max(
        (s for s in mine if s.date <= date), key=lambda s: (s.date, s.number), default=None
    )
    taken = {e.slug for s in mine for e in s.entries}
    site, _ = load_site(config)
    since = previous.date if previous is not None else dt.date(date.year, 1, 1)
    proposals = sorted(
        (
            i
            for i in site.items
            if stats.is_report(i) and since <= i.date <= date and i.slug not in taken
        ),
        key=lambda i: i.sort_key,
    )
    signer = previous.signed_by if previous is not None and previous.signed_by else None
    lines = [
        "---",
        f"bulletin: {bulletin.id}",
        f"number: {number}",
        f"date: {date.isoformat()}",
        f"signed-by: {signer}" if signer else "# signed-by: 签发人（发布前必填）",
        "status: draft            # 签发后删除此行",
        "items:",
    ]
    if proposals:
        what = f"上期（{previous.date.isoformat()}）以来" if previous else f"{date.year}年以来"
        lines.append(f"  # {what}报送、尚未编入本刊的信息；编入的去掉行首 #，按刊登顺序排列：")
        lines += [
            f"  # - {i.slug}    # {i.title}（{i.unit.name}，{i.date.isoformat()}）"
            for i in proposals
        ]
    else:
        lines.append("  # 暂无尚未编入本刊的信息")
    lines += ["---", "", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    print(path.relative_to(config.root).as_posix())
    return EXIT_OK
