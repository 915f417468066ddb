"""The command line's words: argument parsers with help in the site's language.

``parse_command_line`` reads ``bulletin``'s arguments (each command's in any order) with
help texts, usage lines and argparse's own errors in the language of messages: ``--lang``,
else the ``language`` of the site.toml of the site named on the command line (or of the
current directory), else zh-CN (``pick_language``). ``bulletin new --help`` and
``bulletin import --help`` list the site's units and categories.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from . import __version__
from .config import CONFIG_FILE, load_config, read_language
from .diagnostics import BulletinError
from .export import LIBRARIES
from .messages import ARGPARSE_ZH, DEFAULT_LANGUAGE, LANGUAGES, msg
from .slips import date_slip


def _date(value: str, language: str = DEFAULT_LANGUAGE) -> dt.date:
    """``value`` (--date, --today) as a date; a date typed as in Chinese text (2026/5/3,
    2026年5月3日) is named with its corrected form and an impossible one (2026-02-30)
    with what makes it impossible, as in front matter (``slips.date_slip``)."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        slip = date_slip(value.strip())
        problem = (slip or msg("cli.bad_date", value=repr(value))).render(language)
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

    year_type = functools.partial(_year, language=language)
    ni = command("new-issue", "help.new_issue")
    ni.add_argument("bulletin", metavar="BULLETIN", help=h("help.bulletin"))
    site_dir(ni)
    ni.add_argument("--number", type=int, metavar="N", help=h("help.issue_number"))
    ni.add_argument("--date", type=date_type, metavar="YYYY-MM-DD", help=h("help.date"))

    e = command("export", "help.export")
    kinds = e.add_subparsers(dest="document", metavar="DOCUMENT", required=True)
    issue = kinds.add_parser("issue", help=h("help.export_issue"))
    issue.add_argument("bulletin", metavar="BULLETIN", help=h("help.bulletin"))
    issue.add_argument("year", type=year_type, metavar="YEAR", help=h("help.export_year"))
    issue.add_argument("number", type=int, metavar="NUMBER", help=h("help.export_number"))
    circ = kinds.add_parser("circular", help=h("help.export_circular"))
    circ.add_argument("year", type=year_type, metavar="YEAR", help=h("help.export_year"))
    circ.add_argument(
        "quarter", type=int, choices=(1, 2, 3, 4), metavar="QUARTER", help=h("help.quarter")
    )
    anth = kinds.add_parser("anthology", help=h("help.export_anthology"))
    anth.add_argument("year", type=year_type, metavar="YEAR", help=h("help.export_year"))
    for name, p in (("issue", issue), ("circular", circ), ("anthology", anth)):
        p.add_argument("--lang", choices=LANGUAGES, help=h("help.lang"))
        site_dir(p)
        p.add_argument("--format", choices=tuple(LIBRARIES), required=True, help=h("help.format"))
        p.add_argument("-o", "--output", type=Path, metavar="FILE", help=h("help.export_output"))
        p.add_argument("--today", type=date_type, metavar="YYYY-MM-DD", help=h("help.export_today"))
        p.set_defaults(document=name)  # also when this parser reads the words alone
    # argparse's intermixed parsing keeps a command's usage as format_usage()[7:], cutting
    # the English "usage: " by its length; the usage line is given ready-made instead.
    prefix = ARGPARSE_ZH["usage: "] if language == "zh-CN" else "usage: "
    commands = dict(sub.choices)
    del commands["export"]  # its documents take the arguments: "export issue"…
    commands.update({f"export {name}": p for name, p in kinds.choices.items()})
    for command_parser in [*sub.choices.values(), *kinds.choices.values()]:
        usage = command_parser.format_usage()
        if usage.startswith(prefix):
            command_parser.usage = usage[len(prefix) :].rstrip("\n")
    return parser, commands


def _site_ids(site: Path | None, language: str) -> str:
    """The units and categories of the site at ``site``, for ``--help`` (ids and names)."""
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
        if not word.startswith("-") and _is_file(Path(word) / CONFIG_FILE):
            return Path(word)
    return Path(".") if _is_file(Path(CONFIG_FILE)) else None


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; False, not an error, for a word that cannot be a path
    (a title longer than a file name may be, a NUL): every word is tried as one."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


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
    holding the sub-commands, cannot use). A command of two words (``export issue``) is
    read the same way by the parser of its second word. Usage errors exit with status 2,
    as argparse's, in the language of ``pick_language``.
    """
    words = list(sys.argv[1:] if argv is None else argv)
    site = guess_site(words)
    language = language or pick_language(words, site)
    with argparse_language(language):
        parser, commands = make_parsers(language, site)
        rest, top_lang = words, None
        if rest[:1] == ["--lang"] and len(rest) > 2:
            rest, top_lang = rest[2:], rest[1]
        elif rest[:1] and rest[0].startswith("--lang="):
            rest, top_lang = rest[1:], rest[0].split("=", 1)[1]
        for n in (2, 1):
            name = " ".join(rest[:n])
            if len(rest) >= n and name in commands and top_lang in (None, *LANGUAGES):
                args = commands[name].parse_intermixed_args(rest[n:])
                args.command = rest[0]
                # ``bulletin --lang en check``: the top-level --lang counts as the command's
                # own (the command's own --lang, given too, wins)
                args.lang = args.lang or top_lang
                break
        else:
            args = parser.parse_args(words)  # no command, --version, --help, or a usage error
    args.language = args.lang or language
    return args


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
