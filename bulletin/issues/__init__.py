"""Numbered bulletin issues (期) and circular notes: their files read, validated, cross-checked.

The office compiles reported items into numbered issues of its bulletins (简报), e.g.
《岚川信息》2026年第15期, configured in ``[bulletins.<id>]``. An issue file
(``content/issues/**/*.md``) names the items in order; its body is the editor's note
(编者按). Being included in a published issue is adoption at the bulletin's level (the
office's rule: being in the district's issue is what 区委采用 means); ``model.build_site``
applies it, once per item and level. A circular note (``content/circulars/<year>-q<N>.md``)
is the closing 下一步要求 of that quarter's circular.

An issue is published like an item: ``status: draft`` only in ``--drafts`` previews, and a
``classification`` of secret/confidential/top-secret withholds it completely (no page, no
file, no adoption). A published issue must not name a withheld or unpublished item.

Front matter is read by ``frontmatter`` and parsed field by field from YAML nodes, as an
item's is (``schema``); every key is in ``ISSUE_FIELDS``::

    bulletin: lanchuan          # required: a [bulletins.<id>]
    number: 15                  # required: a whole number ≥ 1, unique per bulletin and year
    date: 2026-06-18            # required
    signed-by: 王建国            # required for a published issue (签发人)
    items: [slug, slug]         # required, non-empty for a published issue; in print order
    title: 防汛专刊              # optional: a special issue (专刊)
    distribution: {report: [...], send: [...], distribute: [...]}   # overrides the default
    copies: 60                  # optional: the print run (共印N份)
    status: draft               # optional
    classification: 秘密         # optional

Links in an editor's note (or a circular note) to item files are rewritten to the items'
pages and checked like an item's own links (``check_issues``).

The package: ``issue`` (the data: ``IssueSource``, ``Issue``, ``CircularNote``…), ``files``
(reading and validating one file), ``check`` (issues against each other and the items).
"""

from .check import IssueCheck, check_issues
from .files import ISSUE_FIELDS, read_documents, read_issue, read_note
from .issue import (
    Bulletin,
    CircularNote,
    Distribution,
    Documents,
    Issue,
    IssueEntry,
    IssueSource,
    issue_label,
)

__all__ = [
    "ISSUE_FIELDS",
    "Bulletin",
    "CircularNote",
    "Distribution",
    "Documents",
    "Issue",
    "IssueCheck",
    "IssueEntry",
    "IssueSource",
    "check_issues",
    "issue_label",
    "read_documents",
    "read_issue",
    "read_note",
]
