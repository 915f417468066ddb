"""``bulletin serve``: a development server with live reload and an error overlay.

Design
------
* The site is built with ``build()`` into a private output directory, never the production
  ``output_dir``: ``<site>/.bulletin-cache/serve/public`` (git-ignored, reused by the next
  ``serve`` so the first build only rewrites what changed). If that directory is locked by
  another ``bulletin serve`` of the same site, or the site is read-only, a temporary
  directory is used and removed on exit.
* A ``Watcher`` (bulletin/watch.py) rebuilds after each burst of changes, in one worker
  thread. Each build is staged and swapped in atomically by ``build()``; every request
  opens its file afresh under the output directory, so it is answered from one complete
  build, the previous one while a rebuild runs. Files are never rewritten in place (a
  changed file is a new inode), so an open file is always whole.
* HTML responses get, at response time only, one ``<script>`` tag loading
  ``/__bulletin/reload.js`` (``serve/reload.js``, served from memory; nothing is written to the output, so the
  script never reaches ``bulletin build`` output). The script listens to Server-Sent
  Events at ``/__bulletin/events``: the state after each build (the id of the last good
  build, whether the last build failed, its errors). A page whose build id differs from
  the last good one reloads; a failed build shows an overlay listing
  ``file:line: field: message`` (built with ``textContent``: escaped by construction),
  which goes away when a good build lands. Pages of the last good build stay served.
* Paths are resolved segment by segment: each segment is percent-decoded once (UTF-8,
  strict); empty segments are skipped; ``.``/``..``, hidden names, and segments holding a
  slash, backslash or NUL after decoding are refused; every directory is opened with
  ``O_NOFOLLOW`` relative to the previous one and the file itself with ``O_NOFOLLOW``, so no
  path and no symlink leads out of the output directory. Only regular files are served.
* Bound to loopback (the default), requests must name a loopback host in ``Host``, which
  keeps other web sites from reading drafts through DNS rebinding. Binding any other
  address needs ``--host`` and prints a warning.
* Ctrl-C or SIGTERM: the server stops accepting, open connections (event streams and
  idle keep-alive ones) are shut down and their threads joined, the watcher and its
  build thread are stopped; nothing is left running and no traceback is printed.
"""

from .dev import DevSession, ServeSettings, private_output, run_serve
from .http import BadPath, DevServer, Handler, is_loopback, open_under, request_parts
from .live import EVENTS, OVERLAY_ID, SCRIPT, LiveState, changed_files, inject, script_tag

__all__ = [
    "EVENTS",
    "OVERLAY_ID",
    "SCRIPT",
    "BadPath",
    "DevServer",
    "DevSession",
    "Handler",
    "LiveState",
    "ServeSettings",
    "changed_files",
    "inject",
    "is_loopback",
    "open_under",
    "private_output",
    "request_parts",
    "run_serve",
    "script_tag",
]
