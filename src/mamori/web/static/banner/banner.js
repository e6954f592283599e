/* Mamori cookie banner. One tag on the site's pages:
 *   <script src="https://mamori.example/static/banner/banner.js" data-property="www" defer></script>
 * Tags wait as <script type="text/plain" data-category="analytics" src="..."></script> and run
 * only once their category is allowed. No third-party request; the choice goes to Mamori only.
 */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me) { return; }
  var base = me.src.replace(/\/static\/banner\/banner\.js(\?.*)?$/, "");
  var prop = me.getAttribute("data-property") || "www";
  var KEY = "mamori_consent";
  var gpc = navigator.globalPrivacyControl === true;
  var cfg, root, lastFocus;

  function uuid() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  /* The cookie holds: browser id, inventory hash, allowed categories, GPC-recorded flag. */
  function load() {
    var m = document.cookie.match(/(?:^|; )mamori_consent=([^;]*)/);
    if (!m) { return null; }
    var p = decodeURIComponent(m[1]).split("|");
    if (p.length < 3 || !/^[0-9a-f-]{36}$/.test(p[0])) { return null; }
    return { id: p[0], hash: p[1], allowed: p[2] ? p[2].split(",") : [], gpcHash: p[3] || "" };
  }

  function save(s) {
    var v = [s.id, s.hash, s.allowed.join(","), s.gpcHash || ""].join("|");
    document.cookie = KEY + "=" + encodeURIComponent(v) + "; path=/; max-age=" + 60 * 60 * 24 * 395 + "; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) { e.textContent = text; }
    return e;
  }

  function effective(chosen) {
    var out = {};
    cfg.categories.forEach(function (c) {
      out[c.id] = c.necessary ? true : (gpc && c.gpc ? false : !!chosen[c.id]);
    });
    return out;
  }

  /* Release held-back tags whose category is allowed (each once). */
  function release(allowed) {
    var held = document.querySelectorAll('script[type="text/plain"][data-category]');
    Array.prototype.forEach.call(held, function (old) {
      if (allowed.indexOf(old.getAttribute("data-category")) < 0) { return; }
      var s = document.createElement("script");
      Array.prototype.forEach.call(old.attributes, function (a) {
        if (a.name !== "type") { s.setAttribute(a.name, a.value); }
      });
      s.setAttribute("data-mamori", "released");
      if (!old.src) { s.text = old.text; }
      old.parentNode.replaceChild(s, old);
    });
  }

  function post(choices, source) {
    var s = load() || { id: uuid(), hash: "", allowed: [] };
    var body = JSON.stringify({ browser: s.id, hash: cfg.hash, choices: choices, gpc: gpc, source: source, lang: cfg.lang });
    fetch(base + "/cookies/banner/" + encodeURIComponent(prop) + "/consent",
      { method: "POST", body: body, headers: { "Content-Type": "text/plain" }, mode: "cors", keepalive: true })
      .catch(function () { /* the choice still applies on this page */ });
    return s;
  }

  function decide(chosen) {
    var eff = effective(chosen);
    var s = post(eff, "banner");
    s.hash = cfg.hash;
    s.allowed = Object.keys(eff).filter(function (k) { return eff[k]; });
    save(s);
    close();
    release(s.allowed);
  }

  function all(value) {
    var c = {};
    cfg.categories.forEach(function (x) { c[x.id] = value; });
    return c;
  }

  function close() {
    if (root) { root.hidden = true; }
    reopen();
    if (lastFocus && lastFocus.focus) { lastFocus.focus(); }
  }

  function reopen() {
    if (document.getElementById("mamori-reopen")) { return; }
    var b = el("button", { id: "mamori-reopen", type: "button", "class": "mamori-reopen" }, cfg.texts.reopen);
    b.addEventListener("click", function () { show(true); });
    document.body.appendChild(b);
  }

  function category(c, allowed) {
    var id = "mamori-cat-" + c.id;
    var row = el("div", { "class": "mamori-cat" });
    var box = el("input", { type: "checkbox", id: id, name: c.id });
    box.checked = c.necessary || (allowed.indexOf(c.id) >= 0 && !(gpc && c.gpc));
    box.disabled = c.necessary || (gpc && c.gpc);
    var label = el("label", { "for": id }, c.name + (c.necessary ? " (" + cfg.texts.always_on + ")" : ""));
    var desc = el("p", { id: id + "-d" }, c.description + (c.items.length ? " " + cfg.texts.items + ": " + c.items.join(", ") : ""));
    box.setAttribute("aria-describedby", id + "-d");
    row.appendChild(box); row.appendChild(label); row.appendChild(desc);
    return row;
  }

  function build(allowed) {
    var t = cfg.texts;
    root = el("section", { id: "mamori-banner", "class": "mamori-banner", role: "dialog", "aria-modal": "false",
      "aria-labelledby": "mamori-title", "aria-describedby": "mamori-body", lang: cfg.lang });
    var title = el("h2", { id: "mamori-title", tabindex: "-1" }, t.title);
    root.appendChild(title);
    root.appendChild(el("p", { id: "mamori-body" }, t.body));
    if (gpc) { root.appendChild(el("p", { "class": "mamori-gpc", role: "note" }, t.gpc_on)); }
    var links = el("p", { "class": "mamori-links" });
    links.appendChild(el("a", { href: cfg.links.cookies, target: "_blank", rel: "noopener" }, t.cookie_policy));
    links.appendChild(document.createTextNode(" · "));
    links.appendChild(el("a", { href: cfg.links.external, target: "_blank", rel: "noopener" }, t.external));
    root.appendChild(links);
    var panel = el("fieldset", { id: "mamori-panel", "class": "mamori-panel" });
    panel.hidden = true;
    panel.appendChild(el("legend", {}, t.customise));
    cfg.categories.forEach(function (c) { panel.appendChild(category(c, allowed)); });
    var save = el("button", { type: "button", "class": "mamori-btn mamori-save" }, t.save);
    save.addEventListener("click", function () {
      var chosen = {};
      cfg.categories.forEach(function (c) { chosen[c.id] = document.getElementById("mamori-cat-" + c.id).checked; });
      decide(chosen);
    });
    panel.appendChild(save);
    var centre = el("button", { type: "button", "class": "mamori-link" }, t.centre);
    centre.addEventListener("click", function () {
      /* The ID goes in a form body to Mamori's privacy centre, never in a URL. */
      var s = load() || post(all(false), "banner");
      var form = el("form", { method: "post", action: cfg.links.centre, target: "_blank" });
      form.appendChild(el("input", { type: "hidden", name: "browser", value: s.id }));
      form.appendChild(el("input", { type: "hidden", name: "lang", value: cfg.lang }));
      document.body.appendChild(form);
      form.submit();
      form.parentNode.removeChild(form);
    });
    panel.appendChild(centre);
    root.appendChild(panel);
    var actions = el("div", { "class": "mamori-actions" });
    var reject = el("button", { type: "button", "class": "mamori-btn", "data-action": "reject" }, t.reject_all);
    var accept = el("button", { type: "button", "class": "mamori-btn", "data-action": "accept" }, t.accept_all);
    var more = el("button", { type: "button", "class": "mamori-link", "aria-expanded": "false", "aria-controls": "mamori-panel" }, t.customise);
    reject.addEventListener("click", function () { decide(all(false)); });
    accept.addEventListener("click", function () { decide(all(true)); });
    more.addEventListener("click", function () {
      panel.hidden = !panel.hidden;
      more.setAttribute("aria-expanded", String(!panel.hidden));
      if (!panel.hidden) { panel.querySelector("input:not([disabled])") && panel.querySelector("input:not([disabled])").focus(); }
    });
    actions.appendChild(reject); actions.appendChild(accept); actions.appendChild(more);
    root.appendChild(actions);
    document.body.appendChild(root);
  }

  function show(again) {
    var s = load();
    lastFocus = document.activeElement;
    if (root) { root.parentNode.removeChild(root); }
    build(again && s ? s.allowed : []);
    document.getElementById("mamori-title").focus();
  }

  function start(config) {
    cfg = config;
    var css = el("link", { rel: "stylesheet", href: base + "/static/banner/banner.css" });
    document.head.appendChild(css);
    var s = load();
    if (s && s.hash === cfg.hash) {
      release(s.allowed.filter(function (id) {
        var c = cfg.categories.filter(function (x) { return x.id === id; })[0];
        return c && !(gpc && c.gpc);
      }));
      reopen();
      return;
    }
    release(cfg.categories.filter(function (c) { return c.necessary; }).map(function (c) { return c.id; }));
    if (gpc && (!s || s.gpcHash !== cfg.hash)) {
      /* GPC is a refusal in itself: record it without waiting for a click. */
      var g = post(effective({}), "gpc");
      g.gpcHash = cfg.hash;
      g.hash = s ? s.hash : "";
      g.allowed = s ? s.allowed : [];
      save(g);
    }
    show(false);
  }

  var lang = me.getAttribute("data-lang") || document.documentElement.lang || navigator.language || "ja";
  function boot() {
    fetch(base + "/cookies/banner/" + encodeURIComponent(prop) + ".json?lang=" + encodeURIComponent(lang), { mode: "cors" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(start)
      .catch(function () { /* no banner: held-back tags stay held back */ });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", boot); } else { boot(); }
}());
