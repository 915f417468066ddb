"""Tokenisation shared (by specification) with the JavaScript client.

Index side, over the normalised ``title + "\\n" + text``:

* every CJK character of a CJK run (unigram), every overlapping pair (bigram) and every
  overlapping triple (trigram) inside the run -- never across punctuation, spaces or Latin
  text, so a posting means exactly "this 1-3 character string occurs";
* every other run of letters/digits as one whole word, lower-cased, cut to ``WORD_MAX``
  code points.

Query side (:func:`query_keys`): the query splits into *terms* at spaces and punctuation
(``防汛、督查`` is two terms, both required; ``2023年`` is one). A CJK run of 1-3 characters
looks up the one token equal to it, which answers exactly. A longer run looks up its
overlapping trigrams (up to ``MAX_RUN_KEYS``): their AND is a superset of the items holding
the run -- almost always equal to it -- and the client confirms the substring in the text
of every item it shows. Trigrams rather than bigrams, because on the 10,000-item bench
corpus a bigram AND leaves absent phrases such as 数据底数不断 with 2,314 candidates to check
(none real) where trigrams leave almost none. A word looks up itself.

``assets/search.js`` implements the same rules; the browser test checks that both give
the same keys for the same queries.
"""

from __future__ import annotations

import re
import unicodedata
from operator import add

# CJK ideographs (with 々〆〇), kana, Hangul syllables, extensions A..H. Keep in sync with
# CJK in assets/search.js.
CJK_RANGES = (
    "\u3005-\u3007\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uac00-\ud7af"
    "\U00020000-\U000323af"
)
WORD_MAX = 32
MAX_RUN_KEYS = 8

_RUN = re.compile(f"[{CJK_RANGES}]+")
_WORD = re.compile(f"[^\\W_{CJK_RANGES}]+")
_SEGMENT = re.compile(f"([{CJK_RANGES}]+)|([^\\W_{CJK_RANGES}]+)")
_TERM = re.compile(f"(?:[{CJK_RANGES}]|[^\\W_])+")
# Characters whose NFKC form is themselves or punctuation/space only (so normalising
# them cannot change any token): ASCII, CJK punctuation, unified ideographs, full-width
# punctuation. Text made only of these skips the (slow) NFKC pass when indexing.
_NEEDS_NFKC = re.compile(
    "[^\x00-\x7f\u3000-\u3035\u303b-\u303f\u4e00-\u9fff"
    "\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff64\u2018\u2019\u201c\u201d\u2014\u2026"
    "\u00b7\u00d7\u00f7\u3001\u3002\u300a-\u300f]"
)


def normalize(text: str) -> str:
    """NFKC then lower case: full-width letters and digits fold to ASCII."""
    return unicodedata.normalize("NFKC", text).lower()


def index_normalize(text: str) -> str:
    """Same tokens as ``normalize`` gives, faster on ordinary Chinese text.

    Text made only of ASCII, ideographs and punctuation is lower-cased without the NFKC
    pass: NFKC would only turn full-width punctuation into ASCII punctuation, which is
    not part of any token either way.
    """
    if _NEEDS_NFKC.search(text):
        return normalize(text)
    return text.lower()


def item_tokens(norm_text: str) -> set[str]:
    """The token set of a normalised text: CJK 1-, 2- and 3-grams, whole words."""
    out: set[str] = set()
    update = out.update
    for run in _RUN.findall(norm_text):
        update(run)
        if len(run) > 1:
            bigrams = list(map(add, run, run[1:]))
            update(bigrams)
            if len(run) > 2:
                update(map(add, bigrams, run[2:]))
    for word in _WORD.findall(norm_text):
        out.add(word[:WORD_MAX])
    return out


def tokens_of(text: str) -> set[str]:
    """Token set of raw text (normalises first)."""
    return item_tokens(index_normalize(text))


def run_keys(run: str) -> tuple[list[str], bool]:
    """Lookup keys for one CJK run and whether they answer exactly (no text check)."""
    chars = list(run)  # code points, not UTF-16 units
    n = len(chars)
    if n <= 3:
        return ["".join(chars)], True
    last = n - 3
    if last + 1 <= MAX_RUN_KEYS:
        starts = list(range(last + 1))
    else:  # evenly spaced, always the first and the last trigram
        starts = list(dict.fromkeys(i * last // (MAX_RUN_KEYS - 1) for i in range(MAX_RUN_KEYS)))
    return ["".join(chars[s : s + 3]) for s in starts], False


def split_terms(query: str) -> list[str]:
    """Normalised query terms: maximal runs of CJK/letter/digit characters, de-duplicated."""
    return list(dict.fromkeys(_TERM.findall(normalize(query))))


def term_keys(term: str) -> tuple[list[str], bool]:
    """Keys for one normalised term and whether the keys alone decide it exactly.

    A term made of several segments (``2023年``, ``covid19疫情``) or a CJK run longer than
    three characters needs a substring check of the item text.
    """
    keys: list[str] = []
    segments = _SEGMENT.findall(term)
    exact = len(segments) == 1
    for cjk, word in segments:
        if cjk:
            k, e = run_keys(cjk)
            keys.extend(k)
            exact = exact and e
        else:
            keys.append(word[:WORD_MAX])
            exact = exact and len(word) <= WORD_MAX
    return list(dict.fromkeys(keys)), exact


def query_keys(query: str) -> tuple[list[str], list[str], bool]:
    """(terms, keys, exact) for a whole query: all keys ANDed, all terms verified."""
    terms = split_terms(query)
    keys: list[str] = []
    exact = True
    for term in terms:
        k, e = term_keys(term)
        keys.extend(k)
        exact = exact and e
    return terms, list(dict.fromkeys(keys)), exact
