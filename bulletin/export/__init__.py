"""Documents for paper and OA systems: a page's HTML as PDF or Word (.docx).

``pdf.html_pdf`` lays a page out with WeasyPrint, from the same HTML and the print
stylesheet (``static/print.css``); ``docx.html_docx`` writes the same structure with
python-docx (masthead, headings, items, 报/送/发). Both take HTML the site's templates
rendered and import nothing else of ``bulletin`` (but its ``messages``): the build uses the PDF layout for
``[export] pdf = true`` (``render``), ``bulletin export`` both (``document_commands``).

The libraries are the optional extra ``bulletin[export]``, imported only when a document
is made; ``require`` says, in one line, what to install when one is missing.
"""

from __future__ import annotations

import importlib.util

from ..messages import Message, msg

INSTALL = "pip install 'bulletin[export]'"
LIBRARIES = {"pdf": ("weasyprint", "WeasyPrint"), "docx": ("docx", "python-docx")}


class ExportUnavailable(Exception):
    """The library a format needs is not installed; ``message`` says what to install."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.render("en"))
        self.message = message


def available(fmt: str) -> bool:
    """Whether the library for ``fmt`` (pdf | docx) is installed (it is not imported)."""
    return importlib.util.find_spec(LIBRARIES[fmt][0]) is not None


def require(fmt: str) -> None:
    """Raise ``ExportUnavailable`` unless the library for ``fmt`` (pdf | docx) is installed."""
    if not available(fmt):
        name = LIBRARIES[fmt][1]
        raise ExportUnavailable(
            msg("export.unavailable", fmt=fmt.upper(), name=name, install=INSTALL)
        )
