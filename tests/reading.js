// What a reader would notice on one page, measured in the browser (tests/test_reading_browser.py).
// Returns {check: [problem, ...]} for the page as it is laid out at the current width.
() => {
  const out = {
    overflow: [], tables: [], columns: [], header: [], charts: [], headings: [],
    footer: [], spacing: [], searchBoxes: [], feeds: []
  };
  const visible = (e) => {
    const r = e.getBoundingClientRect();
    const s = getComputedStyle(e);
    return r.width > 1 && r.height > 1 && s.visibility !== "hidden" && s.display !== "none";
  };
  const text = (e) => (e.textContent || "").replace(/\s+/g, " ").trim();
  const short = (s) => (s.length > 40 ? s.slice(0, 40) + "…" : s);
  const px = (v) => parseFloat(v) || 0;
  const rootFont = px(getComputedStyle(document.documentElement).fontSize);

  // 1. nothing wider than the screen
  const over = document.documentElement.scrollWidth - window.innerWidth;
  if (over > 0) {
    const wide = [...document.querySelectorAll("main *")]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 3)
      .map((e) => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ")[0] : ""));
    out.overflow.push(`page is ${over}px wider than the screen (${wide.join(", ")})`);
  }

  // 2. table cells keep about three Chinese characters of room; a short name or header
  //    (no spaces, up to 10 characters) stays on one line
  for (const table of document.querySelectorAll("main table")) {
    if (!visible(table)) continue;
    for (const cell of table.querySelectorAll("th, td")) {
      const t = text(cell);
      if (!t) continue;
      const font = px(getComputedStyle(cell).fontSize);
      const w = cell.getBoundingClientRect().width;
      if (w < 3 * font * 0.95) out.tables.push(`cell "${short(t)}" is ${w.toFixed(0)}px wide (< 3 × ${font}px)`);
      if (t.length <= 10 && !/\s/.test(t)) {
        const range = document.createRange();
        range.selectNodeContents(cell);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (lines.size > 1) out.tables.push(`cell "${t}" breaks over ${lines.size} lines`);
      }
    }
  }

  // 3. in multi-column lists, every entry stays whole in one column
  for (const box of document.querySelectorAll("main *")) {
    const s = getComputedStyle(box);
    if (s.columnCount === "auto" && s.columnWidth === "auto") continue;
    for (const entry of box.children) {
      if (entry.getClientRects().length > 1) out.columns.push(`"${short(text(entry))}" is split across columns`);
    }
  }

  // 4. the content keeps the design's distance (main's padding-top, --space) from the header
  const header = document.querySelector("header.site-header, body > header");
  const main = document.querySelector("main");
  const first = main && [...main.querySelectorAll("*")].find(visible);
  if (header && first) {
    const space = px(getComputedStyle(document.documentElement).getPropertyValue("--space")) * rootFont || 1.25 * rootFont;
    const gap = first.getBoundingClientRect().top - header.getBoundingClientRect().bottom;
    if (gap < space - 0.5) out.header.push(`content starts ${gap.toFixed(1)}px below the header (design: ${space}px)`);
  }

  // 5. every chart has a visible title and says what it counts; its SVG a title and a description
  for (const svg of document.querySelectorAll("main svg")) {
    const name = svg.id || svg.getAttribute("class") || "svg";
    const fig = svg.closest("figure");
    const caption = fig && fig.querySelector("figcaption");
    if (!caption || !text(caption) || !visible(caption)) out.charts.push(`${name}: no visible title (figcaption)`);
    const title = svg.querySelector(":scope > title");
    const desc = svg.querySelector(":scope > desc");
    if (!title || !text(title) || !desc || !text(desc)) out.charts.push(`${name}: no <title> and <desc>`);
    if (![...svg.querySelectorAll(".axis-caption")].some((e) => text(e))) out.charts.push(`${name}: no axis caption`);
  }

  // 6. inside an article, its own headings sit below its title's level
  for (const article of document.querySelectorAll("main article")) {
    const hs = [...article.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter((h) => h.closest("article") === article);
    if (!hs.length) continue;
    const top = +hs[0].tagName[1];
    for (const h of hs.slice(1)) {
      if (+h.tagName[1] <= top) out.headings.push(`"${short(text(h))}" (${h.tagName}) is not below the title "${short(text(hs[0]))}" (${hs[0].tagName})`);
    }
  }

  // 7. the footer says each thing once
  const footer = document.querySelector("footer");
  if (footer) {
    const seen = new Map();
    for (const clause of footer.innerText.split(/[\n·。，,.;；|]+/).map((s) => s.trim()).filter((s) => s.length >= 2)) {
      seen.set(clause, (seen.get(clause) || 0) + 1);
    }
    for (const [clause, n] of seen) if (n > 1) out.footer.push(`"${clause}" appears ${n} times`);
  }

  // 8. no half-width space between Chinese text and Chinese punctuation in what the site
  //    writes (templates, search results); item bodies are the editors' text as written
  let body = main ? main.innerText : "";
  for (const own of document.querySelectorAll("main .body")) body = body.split(own.innerText).join("\n");
  const bad = /[\u4e00-\u9fff] [（【「『《“]|[。；，：、！？] (?=[\u4e00-\u9fff])/g;
  let m;
  while ((m = bad.exec(body))) {
    out.spacing.push(`"${body.slice(Math.max(0, m.index - 8), m.index + 10).replace(/\n/g, " ")}"`);
    if (out.spacing.length >= 5) break;
  }

  // 9. one search box on screen at a time
  const boxes = [...document.querySelectorAll('input[type="search"]')].filter(visible);
  if (boxes.length > 1) out.searchBoxes.push(`${boxes.length} search boxes: ${boxes.map((b) => "#" + b.id).join(", ")}`);

  // 10. a feed link says what it is for
  for (const a of document.querySelectorAll('a[href$="feed.xml"]')) {
    if (text(a).length < 6) out.feeds.push(`feed link "${text(a)}" does not say what it is for`);
  }
  return out;
}
