/* bulletin search client: CJK n-gram index, filters, highlighted excerpts.
 * No dependencies and no requests outside the directory this script is served from.
 * Index format: bulletin/search/encoding.py and indexer.py. Tokenisation mirrors
 * bulletin/search/tokenize.py -- change both together. */
(function () {
  "use strict";

  var script = document.currentScript;
  var BASE = new URL("./", script && script.src ? script.src : location.href).href;
  var FORMAT = 1; // indexer.FORMAT
  var PAGE = 10;
  var VERIFY_ALL = PAGE; // this few candidates: check them all up front (they are all shown)
  var WORD_MAX = 32;
  var MAX_RUN_KEYS = 8;

  var STRINGS = {
    "zh-CN": {
      label: "搜索信息",
      resultsLabel: "搜索结果",
      placeholder: "输入关键词，如：防汛 督查",
      button: "搜索",
      filters: "筛选",
      unit: "报送单位",
      category: "信息类别",
      year: "年份",
      level: "采用情况",
      sort: "排序",
      all: "全部",
      relevance: "相关度优先",
      newest: "最新优先",
      yearName: "{y}年",
      adoptedBy: "{level}采用",
      loading: "正在加载搜索索引…",
      searching: "正在搜索…",
      results: "找到 {n} 条结果",
      resultsAbout: "找到约 {n} 条结果",
      resultsFor: "“{q}”：找到 {n} 条结果",
      resultsAboutFor: "“{q}”：找到约 {n} 条结果",
      none: "未找到包含“{q}”的信息。",
      noneFiltered: "没有符合筛选条件的信息。",
      prompt: "请输入关键词，或选择筛选条件浏览信息。",
      more: "显示更多结果",
      error: "搜索索引加载失败，请刷新页面重试。",
      sep: "，"
    },
    en: {
      label: "Search items",
      resultsLabel: "Search results",
      placeholder: "Keywords, e.g. 防汛 督查",
      button: "Search",
      filters: "Filters",
      unit: "Unit",
      category: "Category",
      year: "Year",
      level: "Adopted by",
      sort: "Sort",
      all: "All",
      relevance: "Best match",
      newest: "Newest first",
      yearName: "{y}",
      adoptedBy: "Adopted by {level}",
      loading: "Loading the search index…",
      searching: "Searching…",
      results: "{n} results",
      resultsAbout: "About {n} results",
      resultsFor: "{n} results for “{q}”",
      resultsAboutFor: "About {n} results for “{q}”",
      none: "No items contain “{q}”.",
      noneFiltered: "No items match these filters.",
      prompt: "Type a keyword, or choose a filter to browse.",
      more: "Show more results",
      error: "The search index could not be loaded. Reload the page to try again.",
      sep: ", "
    }
  };

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
    var terms = splitTerms(q);
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
    var end = Math.min(text.length, start + len);
    if (end < text.length) end = safeCut(text, end);
    if (start > 0) el.appendChild(document.createTextNode("…"));
    appendMarked(el, text, ranges, start, end);
    if (end < text.length) el.appendChild(document.createTextNode("…"));
  }

  // ---- the UI ----------------------------------------------------------------------------
  function mark(name) {
    if (performance.mark) performance.mark("bsearch:" + name);
  }

  function fmt(s, vars) {
    return s.replace(/\{(\w+)\}/g, function (_, k) {
      return vars[k];
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

  function App(root) {
    this.root = root;
    var lang = root.getAttribute("data-lang") || document.documentElement.lang || "zh-CN";
    this.lang = /^zh/i.test(lang) ? "zh-CN" : "en";
    this.s = STRINGS[this.lang];
    this.seq = 0;
    this.index = null;
    this.build();
  }

  App.prototype.build = function () {
    var s = this.s;
    var root = this.root;
    var form = root.querySelector("form") || el("form");
    if (!form.parentNode) root.appendChild(form);
    form.classList.add("bsearch-form");
    form.setAttribute("role", "search");
    var input = form.querySelector("input[name=q]");
    if (!input) {
      input = el("input", { type: "search", name: "q", id: "bsearch-q" });
      form.appendChild(el("label", { for: "bsearch-q" }, s.label));
      form.appendChild(input);
      form.appendChild(el("button", { type: "submit" }, s.button));
    }
    input.setAttribute("autocomplete", "off");
    input.setAttribute("placeholder", s.placeholder);
    this.input = input;
    this.form = form;

    var filters = el("div", { class: "bsearch-filters", role: "group", "aria-label": s.filters });
    this.selects = {};
    var self = this;
    ["unit", "category", "year", "level", "sort"].forEach(function (name) {
      var id = "bsearch-" + name;
      var wrap = el("div", { class: "bsearch-filter" });
      wrap.appendChild(el("label", { for: id }, s[name]));
      var sel = el("select", { id: id, name: name });
      if (name === "sort") {
        sel.appendChild(el("option", { value: "" }, s.relevance));
        sel.appendChild(el("option", { value: "date" }, s.newest));
      } else {
        sel.appendChild(el("option", { value: "" }, s.all));
      }
      sel.addEventListener("change", function () {
        self.run(true);
      });
      wrap.appendChild(sel);
      filters.appendChild(wrap);
      self.selects[name] = sel;
    });
    form.parentNode.insertBefore(filters, form.nextSibling);
    this.status = el("p", { class: "bsearch-status", role: "status", "aria-live": "polite" });
    filters.parentNode.insertBefore(this.status, filters.nextSibling);
    this.list = el("ol", { class: "bsearch-results", "aria-label": s.resultsLabel });
    this.status.parentNode.insertBefore(this.list, this.status.nextSibling);
    this.moreBtn = el("button", { type: "button", class: "bsearch-more", hidden: "" }, s.more);
    this.list.parentNode.insertBefore(this.moreBtn, this.list.nextSibling);

    var timer = null;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      self.run(true);
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        self.run(true);
      }, 200);
    });
    this.moreBtn.addEventListener("click", function () {
      self.more();
    });

    var params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    this.pending = {};
    ["unit", "category", "year", "level", "sort"].forEach(function (name) {
      self.pending[name] = params.get(name) || "";
    });
    this.status.textContent = s.loading;
    this.root.setAttribute("aria-busy", "true");
    get("manifest.json", "json", { cache: "no-cache" })
      .then(function (m) {
        mark("manifest");
        // a cached older search.js must not misread a newer index: ask for a reload
        if (m.format !== FORMAT) throw new Error("search index format " + m.format);
        self.index = new Index(m);
        self.fillFilters();
        self.run(false); // fetches the filter columns and the shards in parallel
      })
      .catch(function (err) {
        self.root.removeAttribute("aria-busy");
        self.status.textContent = s.error;
        if (window.console) console.error(err);
      });
  };

  App.prototype.fillFilters = function () {
    var m = this.index.m;
    var s = this.s;
    var self = this;
    var opts = {
      unit: m.units,
      category: m.categories,
      level: m.levels,
      year: m.years
        .map(function (y) {
          return [String(y[0]), fmt(s.yearName, { y: y[0] })];
        })
        .reverse()
    };
    Object.keys(opts).forEach(function (name) {
      var sel = self.selects[name];
      opts[name].forEach(function (pair) {
        var o = el("option", { value: pair[0] }, pair[1]);
        o.setAttribute("data-name", pair[1]);
        sel.appendChild(o);
      });
    });
    Object.keys(this.pending).forEach(function (name) {
      var sel = self.selects[name];
      var v = self.pending[name];
      if (v && sel.querySelector('option[value="' + CSS.escape(v) + '"]')) sel.value = v;
    });
  };

  App.prototype.filterState = function () {
    var m = this.index.m;
    var f = {};
    var u = this.selects.unit.value;
    var c = this.selects.category.value;
    var l = this.selects.level.value;
    var y = this.selects.year.value;
    function ix(list, v) {
      for (var i = 0; i < list.length; i++) if (list[i][0] === v) return i;
      return -1;
    }
    if (u) f.unit = ix(m.units, u);
    if (c) f.cat = ix(m.categories, c);
    if (l) f.level = ix(m.levels, l);
    if (y) f.year = +y;
    return f;
  };

  function passes(a, id, f, skip) {
    if (skip !== "unit" && f.unit !== undefined && a.unit[id] !== f.unit) return false;
    if (skip !== "cat" && f.cat !== undefined && a.cat[id] !== f.cat) return false;
    if (skip !== "level" && f.level !== undefined && !((a.level[id] >>> f.level) & 1)) return false;
    if (skip !== "year" && f.year !== undefined && a.year[id] !== f.year) return false;
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
    var lists = { unit: [m.units, counts.unit], category: [m.categories, counts.cat], level: [m.levels, counts.level] };
    Object.keys(lists).forEach(function (name) {
      var opts = self.selects[name].options;
      for (var i = 1; i < opts.length; i++) {
        var n = lists[name][1][i - 1];
        opts[i].textContent = opts[i].getAttribute("data-name") + " (" + n + ")";
      }
    });
    var yopts = this.selects.year.options;
    for (var j = 1; j < yopts.length; j++) {
      yopts[j].textContent = yopts[j].getAttribute("data-name") + " (" + (counts.year.get(+yopts[j].value) || 0) + ")";
    }
  };

  App.prototype.syncUrl = function () {
    var params = new URLSearchParams(location.search);
    var q = this.input.value.trim();
    if (q) params.set("q", q);
    else params.delete("q");
    var self = this;
    Object.keys(this.selects).forEach(function (name) {
      var v = self.selects[name].value;
      if (v) params.set(name, v);
      else params.delete(name);
    });
    var qs = params.toString();
    history.replaceState(null, "", location.pathname + (qs ? "?" + qs : "") + location.hash);
  };

  App.prototype.run = function (fromUser) {
    if (!this.index) return;
    var t0 = performance.now();
    var seq = ++this.seq;
    var self = this;
    var s = this.s;
    if (fromUser) this.syncUrl();
    var raw = this.input.value.trim();
    var q = queryKeys(raw);
    var f = this.filterState();
    var filtered = Object.keys(f).length > 0;
    this.list.textContent = "";
    this.moreBtn.hidden = true;
    if (!q.terms.length && !filtered) {
      this.index.loadAttrs().then(function () {
        if (seq !== self.seq) return;
        self.root.removeAttribute("aria-busy");
        self.status.textContent = raw ? fmt(s.none, { q: raw }) : s.prompt;
        self.updateCounts(new Int32Array(0), f);
        self.emit(t0, 0, raw);
      }, function (err) {
        self.fail(err, seq);
      });
      return;
    }
    this.root.setAttribute("aria-busy", "true");
    this.status.textContent = s.searching;
    mark("query");
    Promise.all([this.index.candidates(q), this.index.loadAttrs()])
      .then(function (both) {
        if (seq !== self.seq) return;
        var c = both[0];
        mark("candidates");
        var a = self.index.attrs;
        self.updateCounts(c.all, f);
        var inTitle = new Uint8Array(self.index.count);
        if (c.title) for (var i = 0; i < c.title.length; i++) inTitle[c.title[i]] = 1;
        var kept = [];
        for (var j = c.all.length - 1; j >= 0; j--) if (passes(a, c.all[j], f)) kept.push(c.all[j]);
        if (self.selects.sort.value !== "date" && c.title) {
          var first = kept.filter(function (id) {
            return inTitle[id];
          });
          var rest = kept.filter(function (id) {
            return !inTitle[id];
          });
          kept = first.concat(rest);
        }
        self.cur = { q: q, raw: raw, order: kept, pos: 0, rejected: 0, shown: 0, seq: seq, t0: t0 };
        if (!q.exact && kept.length <= VERIFY_ALL) return self.verifyAll();
      })
      .then(function () {
        if (seq !== self.seq) return;
        return self.more();
      })
      .catch(function (err) {
        self.fail(err, seq);
      });
  };

  App.prototype.fail = function (err, seq) {
    if (seq !== this.seq) return;
    this.root.removeAttribute("aria-busy");
    this.status.textContent = this.s.error;
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
      var firstNew = null;
      shown.forEach(function (pair) {
        var li = self.renderOne(pair[0], pair[1], cur.q.terms);
        firstNew = firstNew || li;
      });
      // after "show more", keyboard and screen-reader users continue at the first new result
      if (cur.shown > 0 && firstNew) firstNew.querySelector("a").focus();
      cur.shown += shown.length;
      var total = cur.order.length - cur.rejected;
      // unchecked candidates left and some checked ones failed: the count is an estimate
      var about = cur.rejected > 0 && !cur.allVerified && cur.pos < cur.order.length;
      var s = self.s;
      var key;
      if (!total) {
        self.status.textContent = cur.q.terms.length ? fmt(s.none, { q: cur.raw }) : s.noneFiltered;
      } else {
        key = (about ? "resultsAbout" : "results") + (cur.raw ? "For" : "");
        self.status.textContent = fmt(s[key], { n: total, q: cur.raw });
      }
      self.moreBtn.hidden = cur.pos >= cur.order.length;
      self.root.removeAttribute("aria-busy");
      if (cur.shown === shown.length) self.emit(cur.t0, total, cur.raw);
    });
  };

  App.prototype.renderOne = function (id, fr, terms) {
    var m = this.index.m;
    var a = this.index.attrs;
    var s = this.s;
    var li = el("li", { class: "bsearch-result" });
    var h = el("h2", { class: "bsearch-title" });
    var link = el("a", { href: safeHref(fr.u) });
    appendMarked(link, fr.t, matchRanges(fr.t, terms), 0, fr.t.length);
    h.appendChild(link);
    li.appendChild(h);
    var meta = el("p", { class: "bsearch-meta" });
    meta.appendChild(el("span", { class: "bsearch-unit" }, m.units[a.unit[id]][1]));
    meta.appendChild(el("span", { class: "bsearch-category" }, m.categories[a.cat[id]][1]));
    meta.appendChild(el("time", { datetime: fr.d }, fr.d));
    for (var b = a.level[id], k = 0; b; b >>>= 1, k++) {
      if (b & 1) meta.appendChild(el("span", { class: "bsearch-badge" }, fmt(s.adoptedBy, { level: m.levels[k][1] })));
    }
    li.appendChild(meta);
    var p = el("p", { class: "bsearch-excerpt" });
    excerpt(p, fr.x, terms);
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
      query: raw
    };
    window.bulletinSearch.last = detail;
    this.root.dispatchEvent(new CustomEvent("bsearch:results", { detail: detail }));
  };

  // exposed for tests: the tokeniser must agree with tokenize.py
  window.bulletinSearch = { queryKeys: queryKeys, crc32: function (s) { return crc32(encoder.encode(s)); } };

  function start() {
    var root = document.getElementById("bsearch") || document.querySelector("[data-bsearch]");
    if (root) window.bulletinSearch.app = new App(root);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
