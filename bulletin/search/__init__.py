"""Full-text search over item pages: a CJK n-gram index of our own and a small JS client.

Pagefind was measured and rejected for Chinese (issue 5): its word segmentation differs
between index and query time, so 报送 found 4 of 892 items and 防汛工作 matched every page
containing 工作. This index is exact by construction:

* every CJK character, overlapping bigram and overlapping trigram of the text is a token
  (never across punctuation); Latin/digit runs are whole lower-cased words;
* a 1-3 character query looks up the one token equal to it; a longer one ANDs its trigrams
  and the client confirms the substring in the text of every result it shows;
* postings live in content-addressed binary shards, chosen by ``crc32(token)``, fetched on
  demand; per-item text fragments are fetched only for the results on screen.

Entry point for the build pipeline: :func:`write_search_index`.
"""

from __future__ import annotations

from .indexer import write_search_index
from .records import SearchRecord, SearchReport

__all__ = ["SearchRecord", "SearchReport", "write_search_index"]
