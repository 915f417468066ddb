/* bulletin serve: live reload and build-error overlay (development only) */
(function () {
  "use strict";
  var me = document.currentScript;
  var page = (me && me.getAttribute("data-bulletin-build")) || "";
  var file = (me && me.getAttribute("data-bulletin-file")) || "";
  var ID = "__OVERLAY_ID__";
  var reloading = false;

  function hide() {
    var old = document.getElementById(ID);
    if (old) old.parentNode.removeChild(old);
  }

  function el(tag, text, css) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (css) node.style.cssText = css;
    return node;
  }

  function show(errors, more, text) {
    hide();
    var box = el("div", "", "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(24,0,0,.92);color:#fff;padding:2em 2.5em;margin:0;" +
      "font:15px/1.6 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left");
    box.id = ID;
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-modal", "false");
    box.setAttribute("aria-labelledby", ID + "-title");
    var title = el("h2", text.title,
      "font:bold 20px/1.4 system-ui,sans-serif;margin:0 0 .5em;color:#ffb4b4");
    title.id = ID + "-title";
    var hint = el("p", text.hint, "margin:0 0 1em;font-family:system-ui,sans-serif");
    var list = el("ul", "", "margin:0;padding-left:1.2em");
    for (var i = 0; i < errors.length; i++) {
      list.appendChild(el("li", errors[i], "white-space:pre-wrap;margin:.3em 0"));
    }
    if (more > 0) {
      list.appendChild(el("li", text.more, ""));
    }
    var close = el("button", text.close,
      "position:absolute;top:1em;right:1em;font:inherit;padding:.2em .8em;cursor:pointer");
    close.type = "button";
    close.onclick = hide;
    box.appendChild(close);
    box.appendChild(title);
    box.appendChild(hint);
    box.appendChild(list);
    (document.body || document.documentElement).appendChild(box);
  }

  // Does a build that wrote these output files change what this page shows?
  function touches(changed) {
    if (!file) return true;
    for (var i = 0; i < changed.length; i++) {
      var c = changed[i];
      if (c === file || /\.(css|js|mjs)$/.test(c)) return true;
    }
    return false;
  }

  function apply(state) {
    if (reloading) return;
    if (state.build && state.build !== page) {
      if (page && state.previous === page && state.changed && !touches(state.changed)) {
        page = state.build;  // a good build that left this page and its styles alone
      } else {
        reloading = true;
        location.reload();
        return;
      }
    }
    if (state.ok === false) show(state.errors || [], state.more || 0, state.text || {});
    else hide();
  }

  if (!window.EventSource) return;
  var source = new EventSource("__EVENTS__");
  var live = window.__bulletin = { state: null };  // for tests and curious editors
  source.addEventListener("state", function (event) {
    try { live.state = JSON.parse(event.data); } catch (e) { return; }
    apply(live.state);
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
