"""The one sniff for text that is not UTF-8: Chinese Windows editors save GBK/GB18030.

Item files and site.toml must be UTF-8 (``looks_gbk`` names the likely cause when they are
not); ``bulletin import`` reads plain-text documents in either (``decode_document``).
"""

from __future__ import annotations


def looks_gbk(data: bytes) -> bool:
    """Whether ``data`` (which is not valid UTF-8) decodes as GBK/GB18030."""
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


def decode_document(data: bytes) -> str | None:
    """``data`` as text: UTF-8 (a BOM is dropped) or else GBK/GB18030; None if neither.

    Newlines become "\\n".
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if not looks_gbk(data):
            return None
        text = data.decode("gb18030")
    return text.replace("\r\n", "\n").replace("\r", "\n")
