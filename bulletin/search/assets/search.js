/* bulletin search client: CJK n-gram index, filters, highlighted excerpts, phrase fallback.
 * No dependencies and no requests outside the directory this script is served from.
 * Index format: bulletin/search/encoding.py and indexer.py. Tokenisation mirrors
 * bulletin/search/tokenize.py -- change both together. The UI strings come from the page
 * (<script type="application/json" id="bsearch-strings">, made from bulletin/i18n.py), so
 * dates and adoption labels read exactly as on every other page. */
(function () {
  "use strict";

  var script = document.currentScript;
  var BASE = new URL("./", script && script.src ? script.src : location.href).href;
  var FORMAT = 1; // indexer.FORMAT
  var PAGE = 10;
  var VERIFY_ALL = PAGE; // this few candidates: check them all up front (they are all shown)
  var WORD_MAX = 32;
  var MAX_RUN_KEYS = 8;
  var SELECTS = ["unit", "category", "year", "level"];
  var DATES = ["from", "to"];
  var ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
  var DAY_MS = 86400000;

  // ---- tokenisation (mirror of tokenize.py) ---------------------------------------
  var CJK =
    "\\u3005-\\u3007\\u3041-\\u309f\\u30a1-\\u30fa\\u30fc-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff" +
    "\\uf900-\\ufaff\\uac00-\\ud7af\\u{20000}-\\u{323af}";
  var TERM_RE, SEG_RE;
  try {
    TERM_RE = new RegExp("(?:[" + CJK + "]|[\\p{L}\\p{N}])+", "gu");
    SEG_RE = new RegExp("([" + CJK + "]+)|((?:(?![" + CJK + "])[\\p{L}\\p{N}])+)", "gu");
  } catch (e) {
    // very old engines: no \p{..}; Latin letters and digits only
    TERM_RE = new RegExp("(?:[" + CJK + "]|[0-9a-z\\u00c0-\\u024f])+", "gu");
    SEG_RE = new RegExp("([" + CJK + "]+)|([0-9a-z\\u00c0-\\u024f]+)", "gu");
  }

  function normalize(s) {
    return s.normalize("NFKC").toLowerCase();
  }

  function splitTerms(q) {
    var out = [];
    var m = normalize(q).match(TERM_RE) || [];
    for (var i = 0; i < m.length; i++) if (out.indexOf(m[i]) < 0) out.push(m[i]);
    return out;
  }

  function runKeys(run) {
    var chars = Array.from(run);
    var n = chars.length;
    if (n <= 3) return { keys: [run], exact: true };
    var last = n - 3;
    var starts = [];
    if (last + 1 <= MAX_RUN_KEYS) {
      for (var s = 0; s <= last; s++) starts.push(s);
    } else {
      // evenly spaced, always the first and the last trigram (same as tokenize.py)
      for (var i = 0; i < MAX_RUN_KEYS; i++) {
        var st = Math.floor((i * last) / (MAX_RUN_KEYS - 1));
        if (starts.indexOf(st) < 0) starts.push(st);
      }
    }
    return {
      keys: starts.map(function (st) {
        return chars.slice(st, st + 3).join("");
      }),
      exact: false
    };
  }

  function termKeys(term) {
    var keys = [];
    var segs = [];
    var m;
    SEG_RE.lastIndex = 0;
    while ((m = SEG_RE.exec(term))) segs.push(m);
    var exact = segs.length === 1;
    segs.forEach(function (seg) {
      if (seg[1]) {
        var r = runKeys(seg[1]);
        keys.push.apply(keys, r.keys);
        exact = exact && r.exact;
      } else {
        var w = Array.from(seg[2]);
        keys.push(w.slice(0, WORD_MAX).join(""));
        exact = exact && w.length <= WORD_MAX;
      }
    });
    return { keys: keys, exact: exact };
  }

  function queryKeys(q) {
    return keysFor(splitTerms(q));
  }

  // the lookup keys of normalised terms (all ANDed) and whether they answer exactly
  function keysFor(terms) {
    var keys = [];
    var exact = true;
    terms.forEach(function (t) {
      var r = termKeys(t);
      r.keys.forEach(function (k) {
        if (keys.indexOf(k) < 0) keys.push(k);
      });
      exact = exact && r.exact;
    });
    return { terms: terms, keys: keys, exact: exact };
  }

  // ---- binary decoding (mirror of encoding.py) -----------------------------------------
  var CRC_TABLE = (function () {
    var t = new Int32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t[n] = c;
    }
    return t;
  })();
  var encoder = new TextEncoder();
  var decoder = new TextDecoder();

  function crc32(bytes) {
    var c = -1;
    for (var i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return (c ^ -1) >>> 0;
  }

  function readVarint(buf, st) {
    var value = 0;
    var mul = 1;
    for (;;) {
      var b = buf[st.pos++];
      if (b === undefined) throw new Error("truncated varint");
      value += (b & 0x7f) * mul;
      if (b < 0x80) return value;
      mul *= 128;
    }
  }

  function parseShard(buf) {
    var recs = new Map();
    var st = { pos: 0 };
    while (st.pos < buf.length) {
      var tlen = readVarint(buf, st);
      var token = decoder.decode(buf.subarray(st.pos, st.pos + tlen));
      st.pos += tlen;
      var rec = { df: readVarint(buf, st), all: null, title: null };
      var h = readVarint(buf, st);
      rec.all = [st.pos, h >>> 1, h & 1];
      st.pos += h >>> 1;
      rec.tdf = readVarint(buf, st);
      if (rec.tdf) {
        h = readVarint(buf, st);
        rec.title = [st.pos, h >>> 1, h & 1];
        st.pos += h >>> 1;
      }
      recs.set(token, rec);
    }
    return { buf: buf, recs: recs };
  }

  function decodeList(buf, spec) {
    if (!spec) return new Int32Array(0);
    var pos = spec[0];
    var len = spec[1];
    var out = [];
    if (spec[2]) {
      for (var k = 0; k < len; k++) {
        var b = buf[pos + k];
        while (b) {
          var low = b & -b;
          out.push((k << 3) + (31 - Math.clz32(low)));
          b ^= low;
        }
      }
    } else {
      var st = { pos: pos };
      var prev = -1;
      while (st.pos < pos + len) {
        prev += readVarint(buf, st) + 1;
        out.push(prev);
      }
    }
    return Int32Array.from(out);
  }

  function intersect(a, b) {
    var out = new Int32Array(Math.min(a.length, b.length));
    var i = 0;
    var j = 0;
    var k = 0;
    while (i < a.length && j < b.length) {
      if (a[i] < b[j]) i++;
      else if (a[i] > b[j]) j++;
      else {
        out[k++] = a[i];
        i++;
        j++;
      }
    }
    return out.subarray(0, k);
  }

  // ---- fetching ----------------------------------------------------------------------
  var memo = new Map();

  function get(path, kind, opts) {
    var key = kind + ":" + path;
    if (!memo.has(key)) {
      var p = fetch(BASE + path, opts).then(function (r) {
        if (!r.ok) throw new Error(path + ": HTTP " + r.status);
        return kind === "json" ? r.json() : r.arrayBuffer();
      });
      p.catch(function () {
        memo.delete(key);
      });
      memo.set(key, p);
    }
    return memo.get(key);
  }

  function Index(manifest) {
    this.m = manifest;
    this.count = manifest.count;
    this.shardMask = (1 << manifest.shardBits) - 1;
    this.attrs = null;
  }

  Index.prototype.loadAttrs = function () {
    var self = this;
    if (!this.attrsPromise) {
      this.attrsPromise = get(this.m.attrs, "bin").then(function (ab) {
        var n = self.count;
        var w = self.m.widths;
        var off = 0;
        function col(width) {
          var bytes = new Uint8Array(ab, off, n * width);
          off += n * width;
          var out = new Uint32Array(n);
          for (var i = 0; i < n; i++) {
            var v = 0;
            for (var k = width - 1; k >= 0; k--) v = v * 256 + bytes[i * width + k];
            out[i] = v;
          }
          return out;
        }
        var year = new Uint16Array(n);
        self.m.years.forEach(function (y) {
          year.fill(y[0], y[1], y[2]);
        });
        self.attrs = { unit: col(w[0]), cat: col(w[1]), level: col(w[2]), year: year };
        // each item's date, as days since manifest.day0 (the from/to filter)
        if (w.length > 3) self.attrs.day = col(w[3]);
        return self.attrs;
      });
    }
    return this.attrsPromise;
  };

  Index.prototype.shard = function (s) {
    var name = this.m.shards.substr(s * 12, 12);
    return get("s/" + name + ".bin", "bin").then(function (ab) {
      var cached = memo.get("parsed:" + name);
      if (!cached) {
        cached = parseShard(new Uint8Array(ab));
        memo.set("parsed:" + name, cached);
      }
      return cached;
    });
  };

  Index.prototype.lookup = function (key) {
    var s = crc32(encoder.encode(key)) & this.shardMask;
    return this.shard(s).then(function (sh) {
      var rec = sh.recs.get(key);
      if (!rec) return { all: new Int32Array(0), title: new Int32Array(0) };
      return { all: decodeList(sh.buf, rec.all), title: decodeList(sh.buf, rec.title) };
    });
  };

  Index.prototype.fragment = function (id) {
    return get("f/" + id + ".json?v=" + this.m.fragments, "json");
  };

  // ---- query evaluation --------------------------------------------------------------
  function allIds(n) {
    var a = new Int32Array(n);
    for (var i = 0; i < n; i++) a[i] = i;
    return a;
  }

  Index.prototype.candidates = function (q) {
    var self = this;
    if (!q.terms.length) return Promise.resolve({ all: allIds(this.count), title: null });
    return Promise.all(
      q.keys.map(function (k) {
        return self.lookup(k);
      })
    ).then(function (lists) {
      lists.sort(function (a, b) {
        return a.all.length - b.all.length;
      });
      var all = lists[0].all;
      var title = lists[0].title;
      for (var i = 1; i < lists.length; i++) {
        all = intersect(all, lists[i].all);
        title = intersect(title, lists[i].title);
      }
      return { all: all, title: title };
    });
  };

  function verifies(frag, terms) {
    var hay = normalize(frag.t) + "\n" + normalize(frag.x);
    for (var i = 0; i < terms.length; i++) if (hay.indexOf(terms[i]) < 0) return false;
    return true;
  }

  // ---- highlighting --------------------------------------------------------------------
  function normalizedMap(text) {
    var norm = "";
    var map = [];
    var at = 0;
    for (var ch of text) {
      var n = normalize(ch);
      for (var k = 0; k < n.length; k++) map.push(at);
      norm += n;
      at += ch.length;
    }
    map.push(text.length);
    return { norm: norm, map: map };
  }

  function matchRanges(text, terms) {
    var nm = normalizedMap(text);
    var ranges = [];
    terms.forEach(function (t) {
      if (!t) return;
      var from = 0;
      var i;
      while ((i = nm.norm.indexOf(t, from)) >= 0) {
        ranges.push([nm.map[i], nm.map[i + t.length]]);
        from = i + t.length;
      }
    });
    ranges.sort(function (a, b) {
      return a[0] - b[0] || b[1] - a[1];
    });
    var merged = [];
    ranges.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else if (r[1] > r[0]) merged.push([r[0], r[1]]);
    });
    return merged;
  }

  function appendMarked(el, text, ranges, from, to) {
    var at = from;
    ranges.forEach(function (r) {
      var s = Math.max(r[0], from);
      var e = Math.min(r[1], to);
      if (e <= s) return;
      if (s > at) el.appendChild(document.createTextNode(text.slice(at, s)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(s, e);
      el.appendChild(mark);
      at = e;
    });
    if (at < to) el.appendChild(document.createTextNode(text.slice(at, to)));
  }

  function safeCut(text, i) {
    // never split a surrogate pair
    var c = text.charCodeAt(i);
    return c >= 0xdc00 && c <= 0xdfff ? i - 1 : i;
  }

  function excerpt(el, text, terms) {
    var ranges = matchRanges(text, terms);
    var len = 140;
    var start = 0;
    if (ranges.length) start = Math.max(0, ranges[0][0] - 36);
    start = safeCut(text, start);
    while (start > 0 && start < text.length && /\s/.test(text.charAt(start))) start++;
    var end = Math.min(text.length, start + len);
    if (end < text.length) end = safeCut(text, end);
    if (start > 0) el.appendChild(document.createTextNode("…"));
    appendMarked(el, text, ranges, start, end);
    if (end < text.length) el.appendChild(document.createTextNode("…"));
  }


  // Paragraphs of an item's text are joined by line breaks. Shown inline as one excerpt,
  // a break or spaces next to Chinese punctuation disappear (。 and ； need no space after
  // them); any other break reads as one space.
  var CJK_PUNCT = /[\u3000-\u303f\uff00-\uffef\u2014\u2018-\u201d\u2026]/;

  function inlineText(text) {
    return text.replace(/\s+/g, function (m, at, all) {
      var before = all.charAt(at - 1);
      var after = all.charAt(at + m.length);
      if (!before || !after || CJK_PUNCT.test(before) || CJK_PUNCT.test(after)) return "";
      return " ";
    });
  }

  // ---- phrase fallback -------------------------------------------------------------------
  var segmenter = null;
  try {
    if (window.Intl && Intl.Segmenter) segmenter = new Intl.Segmenter("zh", { granularity: "word" });
  } catch (e) {
    segmenter = null;
  }

  // The words of one normalised term: the browser's dictionary word segmentation (ICU), or
  // without it two-character pieces. ICU's dictionary lacks much office vocabulary and cuts
  // 报送 into 报|送: a run of single characters is taken as one word (two or three
  // characters) or as pairs. A term that is one word gives [term].
  var ONE_CJK = new RegExp("^[" + CJK + "]$", "u");

  function parts(term) {
    var out = [];
    function add(p) {
      if (p && out.indexOf(p) < 0) out.push(p);
    }
    function pairs(chars) {
      for (var i = 0; i < chars.length; ) {
        var n = chars.length - i === 3 ? 3 : Math.min(2, chars.length - i); // no lone character after a pair
        add(chars.slice(i, i + n).join(""));
        i += n;
      }
    }
    if (segmenter) {
      var singles = [];
      for (var seg of segmenter.segment(term)) {
        if (!seg.isWordLike) continue;
        var w = normalize(seg.segment);
        if (ONE_CJK.test(w)) {
          singles.push(w);
          continue;
        }
        pairs(singles);
        singles = [];
        add(w);
      }
      pairs(singles);
    } else {
      SEG_RE.lastIndex = 0;
      var m;
      while ((m = SEG_RE.exec(term))) {
        if (!m[1]) {
          add(m[2]);
          continue;
        }
        pairs(Array.from(m[1]));
      }
    }
    return out.length > 1 ? out : [term];
  }

  // For terms none of whose items hold them whole: the terms with every phrase replaced by
  // its words, or null when no term splits (a single word has no fallback).
  function fallbackFor(terms) {
    var phrases = [];
    var words = [];
    var all = [];
    terms.forEach(function (t) {
      var p = parts(t);
      if (p.length > 1) {
        phrases.push(t);
        p.forEach(function (w) {
          if (words.indexOf(w) < 0) words.push(w);
        });
      }
      p.forEach(function (w) {
        if (all.indexOf(w) < 0) all.push(w);
      });
    });
    return phrases.length ? { phrases: phrases, words: words, q: keysFor(all) } : null;
  }

  // ---- the UI ----------------------------------------------------------------------------
  function mark(name) {
    if (performance.mark) performance.mark("bsearch:" + name);
  }

  function fmt(s, vars) {
    return s.replace(/\{(\w+)\}/g, function (m, k) {
      return vars && k in vars ? vars[k] : m;
    });
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs)
      Object.keys(attrs).forEach(function (k) {
        e.setAttribute(k, attrs[k]);
      });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function safeHref(u) {
    return /^\s*(javascript|data|vbscript):/i.test(u) ? "#" : u;
  }

  function readStrings() {
    var node = document.getElementById("bsearch-strings");
    try {
      return (node && JSON.parse(node.textContent)) || {};
    } catch (e) {
      return {};
    }
  }

  function dayNumber(iso) {
    var p = iso.split("-");
    return Date.UTC(+p[0], +p[1] - 1, +p[2]) / DAY_MS;
  }

  function App(root) {
    this.root = root;
    this.strings = readStrings();
    this.seq = 0;
    this.index = null;
    this.typing = false;
    this.build();
  }

  // a UI string (bulletin/i18n.py), formatted with vars
  App.prototype.t = function (key, vars) {
    var s = this.strings[key];
    return fmt(s === undefined ? key : s, vars);
  };

  App.prototype.quoted = function (list) {
    var self = this;
    return list
      .map(function (x) {
        return self.t("search_quote", { text: x });
      })
      .join(this.t("search_quote_sep"));
  };

  App.prototype.formatDate = function (iso) {
    var p = iso.split("-");
    return this.t("date_format", { y: +p[0], m: +p[1], d: +p[2], iso: iso });
  };

  App.prototype.build = function () {
    var self = this;
    var root = this.root;
    var form = root.querySelector("form") || el("form");
    if (!form.parentNode) root.appendChild(form);
    form.classList.add("bsearch-form");
    form.setAttribute("role", "search");
    var input = form.querySelector("input[name=q]");
    if (!input) {
      input = el("input", { type: "search", name: "q", id: "bsearch-q" });
      form.appendChild(el("label", { for: "bsearch-q" }, this.t("search_label")));
      form.appendChild(input);
      form.appendChild(el("button", { type: "submit" }, this.t("search")));
    }
    input.setAttribute("autocomplete", "off");
    input.setAttribute("placeholder", this.t("search_hint"));
    this.input = input;
    this.form = form;

    var filters = el("div", {
      class: "bsearch-filters",
      role: "group",
      "aria-label": this.t("search_filters")
    });
    this.controls = {};
    function field(name, control) {
      var wrap = el("div", { class: "bsearch-filter bsearch-filter-" + name });
      control.id = "bsearch-" + name;
      control.name = name;
      wrap.appendChild(el("label", { for: control.id }, self.t("search_" + name)));
      wrap.appendChild(control);
      filters.appendChild(wrap);
      self.controls[name] = control;
      control.addEventListener("change", function () {
        self.run("push");
      });
    }
    SELECTS.forEach(function (name) {
      var sel = el("select");
      sel.appendChild(el("option", { value: "" }, self.t("search_all")));
      field(name, sel);
    });
    DATES.forEach(function (name) {
      field(name, el("input", { type: "date" }));
    });
    var sort = el("select");
    sort.appendChild(el("option", { value: "" }, this.t("search_relevance")));
    sort.appendChild(el("option", { value: "date" }, this.t("search_newest")));
    field("sort", sort);
    this.clearBtn = el("button", { type: "button", class: "bsearch-clear" }, this.t("search_clear"));
    filters.appendChild(this.clearBtn);
    // on a phone the filters fold away under a "筛选" line, so the results come first;
    // a wide screen, or a search that uses a filter, shows them open
    var box = el("details", { class: "bsearch-filters-box" });
    this.filtersSummary = el("summary", {}, this.t("search_filters"));
    box.appendChild(this.filtersSummary);
    box.appendChild(filters);
    this.filtersBox = box;
    var wide = window.matchMedia ? matchMedia("(min-width: 48rem)") : null;
    if (!wide || wide.matches) box.open = true;
    if (wide && wide.addEventListener)
      wide.addEventListener("change", function () {
        if (wide.matches) box.open = true;
      });
    form.parentNode.insertBefore(box, form.nextSibling);
    this.status = el("p", { class: "bsearch-status", role: "status", "aria-live": "polite" });
    box.parentNode.insertBefore(this.status, box.nextSibling);
    this.list = el("ol", { class: "bsearch-results", "aria-label": this.t("search_results_label") });
    this.status.parentNode.insertBefore(this.list, this.status.nextSibling);
    this.moreBtn = el("button", { type: "button", class: "bsearch-more", hidden: "" }, this.t("search_more"));
    this.list.parentNode.insertBefore(this.moreBtn, this.list.nextSibling);

    var timer = null;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      self.run("push");
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        // the first keystroke after a settled search opens a history entry; the rest
        // of the typing updates it
        self.run(self.typing ? "replace" : "push");
        self.typing = true;
      }, 200);
    });
    this.clearBtn.addEventListener("click", function () {
      SELECTS.concat(DATES, ["sort"]).forEach(function (name) {
        self.controls[name].value = "";
      });
      self.run("push");
    });
    this.moreBtn.addEventListener("click", function () {
      self.more();
    });
    // back and forward: the page shows the search its URL names
    window.addEventListener("popstate", function () {
      clearTimeout(timer);
      self.applyUrl();
      self.run("none");
    });

    this.applyUrl();
    this.status.textContent = this.t("search_loading");
    this.root.setAttribute("aria-busy", "true");
    get("manifest.json", "json", { cache: "no-cache" })
      .then(function (m) {
        mark("manifest");
        // a cached older search.js must not misread a newer index: ask for a reload
        if (m.format !== FORMAT) throw new Error("search index format " + m.format);
        self.index = new Index(m);
        self.fillFilters();
        self.run("none"); // fetches the filter columns and the shards in parallel
      })
      .catch(function (err) {
        self.root.removeAttribute("aria-busy");
        self.status.textContent = self.t("search_error");
        if (window.console) console.error(err);
      });
  };

  // Set the box and the filters from the URL (on load, and on back/forward).
  App.prototype.applyUrl = function () {
    var params = new URLSearchParams(location.search);
    this.input.value = params.get("q") || "";
    this.typing = false;
    this.pending = {};
    var self = this;
    SELECTS.concat(["sort"]).forEach(function (name) {
      self.pending[name] = params.get(name) || "";
    });
    DATES.forEach(function (name) {
      var v = params.get(name) || "";
      self.controls[name].value = ISO_DATE.test(v) ? v : "";
    });
    if (this.index) this.selectPending();
  };

  App.prototype.selectPending = function () {
    var self = this;
    Object.keys(this.pending).forEach(function (name) {
      var sel = self.controls[name];
      var v = self.pending[name];
      sel.value = v && sel.querySelector('option[value="' + CSS.escape(v) + '"]') ? v : "";
    });
  };

  App.prototype.fillFilters = function () {
    var m = this.index.m;
    var self = this;
    var opts = {
      unit: m.units,
      category: m.categories,
      level: m.levels,
      year: m.years
        .map(function (y) {
          return [String(y[0]), self.t("year_heading", { year: y[0] })];
        })
        .reverse()
    };
    Object.keys(opts).forEach(function (name) {
      var sel = self.controls[name];
      opts[name].forEach(function (pair) {
        var o = el("option", { value: pair[0] }, pair[1]);
        o.setAttribute("data-name", pair[1]);
        sel.appendChild(o);
      });
    });
    if (m.count && m.day0) {
      DATES.forEach(function (name) {
        self.controls[name].min = m.day0;
      });
    }
    this.selectPending();
  };

  // the folded filters say how many are in use; a search that uses one shows them
  App.prototype.showActive = function (f) {
    var n = Object.keys(f).length + (this.controls.sort.value ? 1 : 0);
    this.filtersSummary.textContent = this.t("search_filters") + (n ? " (" + n + ")" : "");
    if (n) this.filtersBox.open = true;
  };

  App.prototype.filterState = function () {
    var m = this.index.m;
    var c = this.controls;
    var f = {};
    function ix(list, v) {
      for (var i = 0; i < list.length; i++) if (list[i][0] === v) return i;
      return -1;
    }
    if (c.unit.value) f.unit = ix(m.units, c.unit.value);
    if (c.category.value) f.cat = ix(m.categories, c.category.value);
    if (c.level.value) f.level = ix(m.levels, c.level.value);
    if (c.year.value) f.year = +c.year.value;
    if (m.day0) {
      var day0 = dayNumber(m.day0);
      if (ISO_DATE.test(c.from.value)) f.from = dayNumber(c.from.value) - day0;
      if (ISO_DATE.test(c.to.value)) f.to = dayNumber(c.to.value) - day0;
    }
    return f;
  };

  function passes(a, id, f, skip) {
    if (skip !== "unit" && f.unit !== undefined && a.unit[id] !== f.unit) return false;
    if (skip !== "cat" && f.cat !== undefined && a.cat[id] !== f.cat) return false;
    if (skip !== "level" && f.level !== undefined && !((a.level[id] >>> f.level) & 1)) return false;
    if (skip !== "year" && f.year !== undefined && a.year[id] !== f.year) return false;
    if (f.from !== undefined && a.day && a.day[id] < f.from) return false;
    if (f.to !== undefined && a.day && a.day[id] > f.to) return false;
    return true;
  }

  App.prototype.updateCounts = function (base, f) {
    var a = this.index.attrs;
    var m = this.index.m;
    var counts = {
      unit: new Uint32Array(m.units.length),
      cat: new Uint32Array(m.categories.length),
      level: new Uint32Array(m.levels.length),
      year: new Map()
    };
    for (var i = 0; i < base.length; i++) {
      var id = base[i];
      if (passes(a, id, f, "unit")) counts.unit[a.unit[id]]++;
      if (passes(a, id, f, "cat")) counts.cat[a.cat[id]]++;
      if (passes(a, id, f, "year")) counts.year.set(a.year[id], (counts.year.get(a.year[id]) || 0) + 1);
      if (passes(a, id, f, "level")) {
        for (var b = a.level[id], k = 0; b; b >>>= 1, k++) if (b & 1) counts.level[k]++;
      }
    }
    var self = this;
    var lists = { unit: counts.unit, category: counts.cat, level: counts.level };
    Object.keys(lists).forEach(function (name) {
      var opts = self.controls[name].options;
      for (var i = 1; i < opts.length; i++) {
        opts[i].textContent = opts[i].getAttribute("data-name") + " (" + lists[name][i - 1] + ")";
      }
    });
    var yopts = this.controls.year.options;
    for (var j = 1; j < yopts.length; j++) {
      yopts[j].textContent = yopts[j].getAttribute("data-name") + " (" + (counts.year.get(+yopts[j].value) || 0) + ")";
    }
  };

  // The URL names the whole search: the query, every filter and the order. "push" opens a
  // history entry (back returns to the search before), "replace" updates the current one.
  App.prototype.syncUrl = function (mode) {
    var params = new URLSearchParams(location.search);
    var q = this.input.value.trim();
    if (q) params.set("q", q);
    else params.delete("q");
    var self = this;
    SELECTS.concat(DATES, ["sort"]).forEach(function (name) {
      var v = self.controls[name].value;
      if (v) params.set(name, v);
      else params.delete(name);
    });
    var qs = params.toString();
    var url = location.pathname + (qs ? "?" + qs : "") + location.hash;
    if (url === location.pathname + location.search + location.hash) return;
    if (mode === "push") history.pushState(null, "", url);
    else history.replaceState(null, "", url);
  };

  App.prototype.run = function (mode) {
    if (!this.index) return;
    var t0 = performance.now();
    var seq = ++this.seq;
    var self = this;
    if (mode !== "none") this.syncUrl(mode);
    if (mode !== "replace") this.typing = false;
    var raw = this.input.value.trim();
    var q = queryKeys(raw);
    var f = this.filterState();
    var filtered = Object.keys(f).length > 0;
    this.showActive(f);
    this.list.textContent = "";
    this.list.classList.remove("is-fallback");
    this.status.classList.remove("is-fallback");
    this.root.removeAttribute("data-fallback");
    this.moreBtn.hidden = true;
    if (!q.terms.length && !filtered) {
      this.index.loadAttrs().then(function () {
        if (seq !== self.seq) return;
        self.root.removeAttribute("aria-busy");
        self.status.textContent = raw ? self.t("search_none", { q: raw }) : self.t("search_prompt");
        self.updateCounts(new Int32Array(0), f);
        self.emit(t0, 0, raw);
      }, function (err) {
        self.fail(err, seq);
      });
      return;
    }
    this.root.setAttribute("aria-busy", "true");
    this.status.textContent = this.t("search_searching");
    mark("query");
    Promise.all([this.index.candidates(q), this.index.loadAttrs()])
      .then(function (both) {
        if (seq !== self.seq) return;
        mark("candidates");
        self.updateCounts(both[0].all, f);
        return self.start(q, raw, both[0], f, seq, t0, null);
      })
      .catch(function (err) {
        self.fail(err, seq);
      });
  };

  // Order the candidates that pass the filters (title matches first unless sorted by
  // date; newest first) and show the first page.
  App.prototype.start = function (q, raw, c, f, seq, t0, fallback) {
    var self = this;
    var a = this.index.attrs;
    var inTitle = new Uint8Array(this.index.count);
    if (c.title) for (var i = 0; i < c.title.length; i++) inTitle[c.title[i]] = 1;
    var kept = [];
    for (var j = c.all.length - 1; j >= 0; j--) if (passes(a, c.all[j], f)) kept.push(c.all[j]);
    if (this.controls.sort.value !== "date" && c.title) {
      var first = kept.filter(function (id) {
        return inTitle[id];
      });
      var rest = kept.filter(function (id) {
        return !inTitle[id];
      });
      kept = first.concat(rest);
    }
    this.cur = { q: q, raw: raw, f: f, order: kept, pos: 0, rejected: 0, shown: 0, seq: seq, t0: t0, fallback: fallback };
    return Promise.resolve(!q.exact && kept.length <= VERIFY_ALL ? this.verifyAll() : null).then(function () {
      if (seq !== self.seq) return;
      return self.more();
    });
  };

  // No item holds the phrase itself: search for items holding all of its words, and say so.
  App.prototype.startFallback = function (cur, fb) {
    var self = this;
    return this.index.candidates(fb.q).then(function (c) {
      if (cur.seq !== self.seq) return;
      self.updateCounts(c.all, cur.f);
      return self.start(fb.q, cur.raw, c, cur.f, cur.seq, cur.t0, fb);
    });
  };

  App.prototype.fail = function (err, seq) {
    if (seq !== this.seq) return;
    this.root.removeAttribute("aria-busy");
    this.status.textContent = this.t("search_error");
    this.root.setAttribute("data-ready", "1");
    if (window.console) console.error(err);
  };

  App.prototype.verifyAll = function () {
    var cur = this.cur;
    var self = this;
    return Promise.all(
      cur.order.map(function (id) {
        return self.index.fragment(id);
      })
    ).then(function (frags) {
      var keep = [];
      frags.forEach(function (fr, i) {
        if (verifies(fr, cur.q.terms)) keep.push(cur.order[i]);
      });
      cur.order = keep;
      cur.allVerified = true;
    });
  };

  App.prototype.more = function () {
    var cur = this.cur;
    var self = this;
    if (!cur) return Promise.resolve();
    var seq = cur.seq;
    var shown = [];
    var budget = PAGE * 6; // fragments fetched per page at most, rejected ones included
    function step() {
      var need = Math.min(PAGE - shown.length, budget);
      if (need <= 0 || cur.pos >= cur.order.length) return Promise.resolve();
      budget -= need;
      var batch = cur.order.slice(cur.pos, cur.pos + need);
      cur.pos += batch.length;
      return Promise.all(
        batch.map(function (id) {
          return self.index.fragment(id);
        })
      ).then(function (frags) {
        frags.forEach(function (fr, i) {
          if (cur.q.exact || cur.allVerified || !cur.q.terms.length || verifies(fr, cur.q.terms)) shown.push([batch[i], fr]);
          else cur.rejected++;
        });
        return step();
      });
    }
    this.root.setAttribute("aria-busy", "true");
    return step().then(function () {
      if (seq !== self.seq) return;
      var total = cur.order.length - cur.rejected;
      if (!total && !cur.fallback && cur.q.terms.length) {
        var fb = fallbackFor(cur.q.terms);
        if (fb) return self.startFallback(cur, fb);
      }
      var firstNew = null;
      shown.forEach(function (pair) {
        var li = self.renderOne(pair[0], pair[1], cur.q.terms);
        firstNew = firstNew || li;
      });
      // after "show more", keyboard and screen-reader users continue at the first new result
      if (cur.shown > 0 && firstNew) firstNew.querySelector("a").focus();
      cur.shown += shown.length;
      // unchecked candidates left and some checked ones failed: the count is an estimate
      var about = cur.rejected > 0 && !cur.allVerified && cur.pos < cur.order.length;
      var text;
      if (!total) {
        text = cur.q.terms.length ? self.t("search_none", { q: cur.raw }) : self.t("search_none_filtered");
      } else if (cur.fallback) {
        text =
          self.t("search_fallback", {
            phrase: self.quoted(cur.fallback.phrases),
            parts: self.quoted(cur.fallback.words)
          }) + self.t("search_fallback_count", { n: total });
      } else {
        text = self.t("search_results" + (about ? "_about" : "") + (cur.raw ? "_for" : ""), { n: total, q: cur.raw });
      }
      self.status.textContent = text;
      // the fallback is never silent: the notice and the list are marked as such
      var fallback = !!(cur.fallback && total);
      self.status.classList.toggle("is-fallback", fallback);
      self.list.classList.toggle("is-fallback", fallback);
      if (fallback) self.root.setAttribute("data-fallback", "1");
      else self.root.removeAttribute("data-fallback");
      self.moreBtn.hidden = cur.pos >= cur.order.length;
      self.root.removeAttribute("aria-busy");
      if (cur.shown === shown.length) self.emit(cur.t0, total, cur.raw);
    });
  };

  App.prototype.renderOne = function (id, fr, terms) {
    var m = this.index.m;
    var a = this.index.attrs;
    var li = el("li", { class: "bsearch-result" });
    var h = el("h2", { class: "bsearch-title" });
    var link = el("a", { href: safeHref(fr.u) });
    appendMarked(link, fr.t, matchRanges(fr.t, terms), 0, fr.t.length);
    h.appendChild(link);
    li.appendChild(h);
    var meta = el("p", { class: "bsearch-meta" });
    meta.appendChild(el("span", { class: "bsearch-unit" }, m.units[a.unit[id]][1]));
    meta.appendChild(el("span", { class: "bsearch-category" }, m.categories[a.cat[id]][1]));
    meta.appendChild(el("time", { datetime: fr.d }, this.formatDate(fr.d)));
    for (var b = a.level[id], k = 0; b; b >>>= 1, k++) {
      if (b & 1) {
        var level = m.levels[k];
        meta.appendChild(el("span", { class: "badge level-" + level[0] }, this.t("adopted_by", { level: level[1] })));
      }
    }
    li.appendChild(meta);
    var p = el("p", { class: "bsearch-excerpt" });
    excerpt(p, inlineText(fr.x), terms);
    li.appendChild(p);
    this.list.appendChild(li);
    return li;
  };

  App.prototype.emit = function (t0, total, raw) {
    mark("results");
    var ms = performance.now() - t0;
    // for tests and the benchmark: the query whose first page is on screen
    this.root.setAttribute("data-query", raw);
    this.root.setAttribute("data-ready", "1");
    var detail = {
      ms: ms, // from the start of this query
      sinceNavigation: performance.now(), // from the page's navigation start
      total: total,
      shown: this.list.children.length,
      query: raw,
      fallback: !!(this.cur && this.cur.fallback)
    };
    window.bulletinSearch.last = detail;
    this.root.dispatchEvent(new CustomEvent("bsearch:results", { detail: detail }));
  };

  // exposed for tests: the tokeniser must agree with tokenize.py
  window.bulletinSearch = {
    queryKeys: queryKeys,
    parts: parts,
    crc32: function (s) {
      return crc32(encoder.encode(s));
    }
  };

  function start() {
    var root = document.getElementById("bsearch") || document.querySelector("[data-bsearch]");
    if (root) window.bulletinSearch.app = new App(root);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
