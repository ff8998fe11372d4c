/* Trunkshow chat widget: one script, no dependencies, everything inside a shadow root.
   Nothing connects until the visitor opens the chat or already has a conversation (a token in localStorage). */
(function () {
  "use strict";
  var C = __CONFIG__, CSS = __CSS__;
  if (window.__trunkshowChat && window.__trunkshowChat[C.store]) return;
  (window.__trunkshowChat = window.__trunkshowChat || {})[C.store] = true;

  var API = C.base + "/widget/api/" + C.store, KEY = "trunkshow-chat:" + C.store;
  // Every word shown or announced comes from the server, translated for the visitor (C.lang).
  var T = C.text;
  var state = load(), seen = {}, cfg = null, ws = null, retry = 0, pollTimer = null, wsTimer = null, isOpen = false, unread = 0;
  var pending = [], previews = [], blobs = {}, viewedFrom = null, staffAt = 0, skew = 0, last = null;

  function t(key, values) {  // T[key] with its {name} placeholders filled
    return T[key].replace(/\{(\w+)\}/g, function (all, k) { return values && k in values ? values[k] : all; });
  }
  function load() { try { return JSON.parse(localStorage.getItem(KEY)) || {}; } catch (e) { return {}; } }
  function save() { try { localStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode: this page only */ } }

  function el(tag, attrs, kids) {
    var n = document.createElement(tag), k;
    for (k in attrs || {}) {
      if (k === "text") n.textContent = attrs[k];
      else if (k.slice(0, 2) === "on") n.addEventListener(k.slice(2), attrs[k]);
      else n.setAttribute(k, attrs[k]);
    }
    (kids || []).forEach(function (c) { if (c) n.appendChild(c); });
    return n;
  }

  // ---- the shadow DOM ----------------------------------------------------------------------------
  var host = el("div", { "data-trunkshow-chat": C.store });
  var root = host.attachShadow({ mode: "open" });
  try {
    var sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); root.adoptedStyleSheets = [sheet];
  } catch (e) { root.appendChild(el("style", { text: CSS })); }

  var badge = el("span", { "class": "badge", hidden: "" });
  var button = el("button", { type: "button", "class": "launch", "aria-expanded": "false", "aria-controls": "ts-panel", onclick: toggle },
    [el("span", { "aria-hidden": "true", "class": "icon", text: "\u2709" }), el("span", { "class": "launch-label", text: T.launch }), badge]);
  var title = el("h2", { id: "ts-title", text: T.title });
  var closeBtn = el("button", { type: "button", "class": "close", "aria-label": T.close_chat, onclick: close }, [el("span", { "aria-hidden": "true", text: "\u00d7" })]);
  var status = el("p", { "class": "status", id: "ts-status" });
  var hoursList = el("ul", { "class": "hours" });
  var hours = el("details", { "class": "hours-box" }, [el("summary", { text: T.hours }), hoursList]);
  var list = el("ol", { "class": "msgs" });
  var hint = el("p", { "class": "hint", text: T.hint });
  // Once "Not now" is tapped (or the offer closed some other way), a small link at the end of the thread
  // still takes the visitor's details, whenever they like.
  // After details saved without the consent box, the same link offers the box again (ADR 0009).
  var later = el("button", { type: "button", "class": "later", text: T.add_details, hidden: "", onclick: function () { if (state.identified) askConsent(); else { askContact(T.ask_after_first, true); nameIn.input.focus(); } } });
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": T.messages, tabindex: "0" }, [hint, list, later]);
  var conn = el("p", { "class": "conn", role: "status" });
  var err = el("p", { "class": "error", role: "alert" });

  var nameIn = field("ts-name", T.name, "text", "name");
  var phoneIn = field("ts-phone", T.phone, "tel", "tel");
  var emailIn = field("ts-email", T.email, "email", "email");
  var consentBox = el("input", { type: "checkbox", id: "ts-consent" });
  var consentLabel = el("label", { "for": "ts-consent", id: "ts-consent-label" });
  var idIntro = el("p", { "class": "id-intro", id: "ts-id-intro" });
  // Phone and email share a row, on a phone too: its panel may hold the thread, photos to send and an error at once.
  var pair = el("div", { "class": "pair" }, [phoneIn.wrap, emailIn.wrap]);
  var idFields = el("div", { "class": "id-fields", hidden: "" }, [nameIn.wrap, pair, el("div", { "class": "check" }, [consentBox, consentLabel])]);
  var saveBtn = el("button", { type: "submit", "class": "btn", text: T.save_details, hidden: "" });
  var moreBtn = el("button", { type: "button", "class": "btn", text: T.add_details, onclick: function () { expand(); nameIn.input.focus(); } });
  // The fields scroll when the panel is short; the buttons below them stay in view.
  // While the visitor fills it in, a long draft in the message box shrinks to one line (it grows back on focus), so the
  // whole form shows on a desk even with photos waiting and an error.
  var idForm = el("form", { "class": "identify", "aria-labelledby": "ts-id-intro", hidden: "", onsubmit: identify, novalidate: "", onfocusin: function () { input.style.height = ""; } }, [
    el("div", { "class": "id-body" }, [idIntro, idFields]),
    el("div", { "class": "row" }, [saveBtn, moreBtn,
      el("button", { type: "button", "class": "btn quiet", text: T.not_now, onclick: function () { idForm.hidden = true; state.idSkipped = true; save(); offerLater(); input.focus(); } })
    ])
  ]);
  function expand() { idFields.hidden = false; saveBtn.hidden = false; moreBtn.hidden = true; idForm.classList.add("full"); }

  var input = el("textarea", { id: "ts-input", rows: "1", placeholder: T.placeholder, onkeydown: onKey, onfocus: grow });
  var send = el("button", { type: "submit", "class": "btn send", text: T.send });
  // A real button opens the phone's camera or gallery through the (visually hidden) file input.
  var fileIn = el("input", { type: "file", accept: "image/*", multiple: "", "class": "sr", tabindex: "-1", "aria-hidden": "true", onchange: picked });
  var attach = el("button", { type: "button", "class": "attach", "aria-label": T.attach, title: T.attach, onclick: function () { fileIn.click(); } },
    [el("span", { "class": "cam", "aria-hidden": "true" })]);
  var tray = el("ul", { "class": "tray", "aria-label": T.tray, hidden: "" });
  var composer = el("form", { "class": "composer", onsubmit: submit, novalidate: "" },
    [el("label", { "for": "ts-input", "class": "sr", text: T.message }), attach, fileIn, input, send]);
  var viewImg = el("img", { alt: "" }), viewCap = el("p", { "class": "cap" });
  var viewer = el("div", { "class": "viewer", role: "dialog", "aria-modal": "true", "aria-label": T.photo, hidden: "", onclick: function (e) { if (e.target === viewer) unview(); },
    onkeydown: function (e) { if (e.key === "Escape") { e.stopPropagation(); unview(); } else if (e.key === "Tab") e.preventDefault(); } }, [
    el("button", { type: "button", "class": "close", "aria-label": T.close_photo, onclick: unview }, [el("span", { "aria-hidden": "true", text: "\u00d7" })]), viewImg, viewCap
  ]);

  var panel = el("div", { id: "ts-panel", "class": "panel", role: "dialog", "aria-labelledby": "ts-title", "aria-describedby": "ts-status", hidden: "", onkeydown: function (e) { if (e.key === "Escape") { e.stopPropagation(); close(); } else if (e.key === "Tab" && modal()) trap(e); } }, [
    // A plain box, not a <header>: the store's page has its banner landmark, and the chat must not add a second.
    el("div", { "class": "head" }, [el("div", {}, [title, status]), closeBtn]),
    hours, log, conn, idForm, err, tray, composer
  ]);
  var wrap = el("div", { "class": "wrap" }, [panel, button, viewer]);
  root.appendChild(wrap);

  function field(id, label, type, auto) {
    var i = el("input", { id: id, type: type, autocomplete: auto, maxlength: type === "text" ? "200" : "254" });
    if (type === "tel") i.setAttribute("inputmode", "tel");
    return { input: i, wrap: el("div", { "class": "field" }, [el("label", { "for": id, text: label }), i]) };
  }

  function mount() { (document.body || document.documentElement).appendChild(host); if (state.token) resume(); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  // ---- opening and closing --------------------------------------------------------------------------
  function toggle() { if (isOpen) close(); else open(); }
  function open() {
    isOpen = true; setModal(); panel.hidden = false; wrap.classList.add("open"); button.setAttribute("aria-expanded", "true");
    unread = 0; showBadge(); readUpTo(state.lastMessage);
    if (!cfg) fetchConfig();
    if (state.token && !ws) resume();
    input.focus();
    scrollDown();
  }
  // On a phone the panel is the whole screen, a modal dialog: Tab and Shift+Tab go round inside it. On a desk it is
  // a non-modal popover beside a usable page, and the focus may leave it (ADR 0009).
  var phoneMq = window.matchMedia && matchMedia("(max-width: 480px)");
  function modal() { return !!(phoneMq && phoneMq.matches); }
  function setModal() { if (modal()) panel.setAttribute("aria-modal", "true"); else panel.removeAttribute("aria-modal"); }
  if (phoneMq && phoneMq.addEventListener) phoneMq.addEventListener("change", setModal);
  function trap(e) {
    var f = [].filter.call(panel.querySelectorAll("button, input, textarea, summary, [tabindex='0']"), function (n) {
      return !n.disabled && n.tabIndex >= 0 && !n.closest("[inert]") && n.getClientRects().length;
    });
    var a = root.activeElement, end = e.shiftKey ? f[0] : f[f.length - 1];
    if (a === end || f.indexOf(a) < 0) { e.preventDefault(); (e.shiftKey ? f[f.length - 1] : f[0]).focus(); }
  }
  function close() {
    isOpen = false; panel.hidden = true; wrap.classList.remove("open"); button.setAttribute("aria-expanded", "false"); button.focus();
  }
  function showBadge() {
    badge.hidden = !unread; badge.textContent = unread ? String(unread) : "";
    button.setAttribute("aria-label", unread ? t(unread === 1 ? "unread_one" : "unread_other", { n: unread }) : T.launch);
  }

  // ---- talking to Trunkshow --------------------------------------------------------------------------
  // XMLHttpRequest rather than fetch: an upload of photos reports its progress.
  function call(method, path, body, progress) {
    return new Promise(function (ok, no) {
      var x = new XMLHttpRequest(), form = body instanceof FormData;
      x.open(method, API + path);
      x.setRequestHeader("Accept-Language", C.lang);  // errors in the script's language, even from a stale copy
      if (state.token) x.setRequestHeader("Authorization", "Bearer " + state.token);
      if (body && !form) x.setRequestHeader("Content-Type", "application/json");
      if (progress) x.upload.onprogress = function (e) { if (e.lengthComputable) progress(e.loaded / e.total); };
      x.onload = function () {
        var data; try { data = JSON.parse(x.responseText); } catch (e) { data = {}; }
        // The visitor's clock may be hours off: the store's times are compared with the server's now.
        if (data.now) skew = Date.parse(data.now) - Date.now();
        if (x.status >= 200 && x.status < 300) return ok(data);
        if (x.status === 404 && state.token && path.indexOf("/conversations/") === 0) forget();
        var e = new Error((data.error && data.error.message) || T.failed);
        e.fields = (data.error && data.error.fields) || {}; e.status = x.status; no(e);
      };
      x.onerror = function () { no(new Error(T.offline)); };
      x.send(body ? (form ? body : JSON.stringify(body)) : null);
    });
  }

  function fetchConfig() {
    return call("GET", "/config").then(function (c) {
      cfg = c; title.textContent = c.store;
      var h = c.hours;
      status.textContent = c.status + (c.reply_time ? " " + c.reply_time : "");
      hoursList.textContent = "";
      h.week.forEach(function (d) {
        // The server writes the times as the visitor's language does in the store's country (10:00 AM, 10:00).
        hoursList.appendChild(el("li", d.day === h.today ? { "class": "today" } : {}, [el("span", { "class": "day", text: T.days[d.day] }), el("span", { text: c.times[d.day] || T.closed_day })]));
      });
      consentLabel.textContent = c.consent_text;
      // "Nobody can answer right now" is not said under a reply a person sent within the hour.
      if (c.ask_contact_first && !state.identified && !state.idSkipped) askContact(answered() ? T.ask_after_first : T.ask_when_closed, true);
    }).catch(function (e) { err.textContent = e.message; });
  }

  function askContact(text, now) {
    if (state.identified) return;
    idIntro.textContent = text; idForm.hidden = false; later.hidden = true;
    if (now) expand();
  }
  // Until the visitor has left their details or said "Not now", the offer stands: after the first message, again
  // when the history comes back after a reload, at the latest with the next message.
  function offer() { if (!state.idSkipped && idForm.hidden) askContact(T.ask_after_first); offerLater(); }
  function offerLater() {
    var again = state.identified && state.reach && !state.reach.length;  // saved without consent: may still give it
    later.textContent = again ? T.allow_contact : T.add_details;
    later.hidden = !(state.token && (!state.identified || again) && idForm.hidden);
  }
  // The second chance: only the box (its words are /config's, the ones the ledger records) and a save button.
  function askConsent() {
    idIntro.textContent = T.allow_contact; nameIn.wrap.hidden = pair.hidden = true; consentBox.checked = false;
    saveBtn.textContent = T.allow_save; expand(); idForm.hidden = false; later.hidden = true; consentBox.focus();
  }
  function allow() {
    if (!consentBox.checked || !consentLabel.textContent) { err.textContent = consentBox.checked ? T.failed : T.consent_unticked; consentBox.focus(); return; }
    call("POST", "/conversations/" + state.conversation + "/consent", { language: cfg && cfg.language, page: location.href }).then(function (r) {
      state.reach = r.reach; save(); idForm.hidden = true; offerLater(); thank(); input.focus();
    }, function (x) { err.textContent = x.message; });
  }
  // The thanks promises only the channels given and consented to.
  function thank() {
    conn.textContent = t({ "sms,email": "thanks", sms: "thanks_text", email: "thanks_email" }[(state.reach || []).join()] || "thanks_here", { name: state.name });
  }

  function submit(e) {
    e.preventDefault();
    var text = input.value.trim(), photos = pending.slice(), first = !state.token, body;
    err.textContent = "";
    if (!text && !photos.length) { err.textContent = T.empty_message; input.focus(); return; }
    var n = [].slice.call(text).length;  // what the server counts; the box keeps the text to be shortened
    if (n > C.max) { err.textContent = t("too_long", { n: n.toLocaleString(C.lang), max: C.max.toLocaleString(C.lang) }); input.focus(); return; }
    if (photos.length) {
      body = new FormData();
      photos.forEach(function (f) { body.append("files", f, f.name); });
      body.append("body", text);
      if (first) body.append("page", location.href);
    } else body = first ? { body: text, page: location.href } : { body: text };
    var path = first ? "/conversations" : "/conversations/" + state.conversation + (photos.length ? "/photos" : "/messages");
    var sending = photos.length === 1 ? T.sending_photo : t("sending_photos", { n: photos.length });
    busy(true);
    if (photos.length) conn.textContent = sending;
    call("POST", path, body, photos.length && function (part) { conn.textContent = sending + " " + part.toLocaleString(C.lang, { style: "percent" }); })
      .then(function (r) {
        if (first) { state.token = r.token; state.conversation = r.conversation; state.lastEvent = r.last_event; save(); }
        add(r.message);
        input.value = ""; grow(); pending = []; showTray();
        if (first) connect();
        if (first && !idForm.hidden && !idFields.hidden && nameIn.input.value.trim()) identify();
        else if (first && !state.idSkipped) askContact(T.ask_after_first);
        else offer();
      }, function (x) { err.textContent = x.message; })
      .then(function () { if (photos.length) conn.textContent = ""; busy(false); input.focus(); });
  }
  function busy(on) { send.disabled = attach.disabled = tray.inert = on; composer.setAttribute("aria-busy", on ? "true" : "false"); }

  // ---- photos -------------------------------------------------------------------------------------
  function picked() {
    var lim = (cfg && cfg.photos) || { max_count: 6, max_bytes: 15728640 }, refused = [];
    [].slice.call(fileIn.files).forEach(function (f) {
      var mb = (f.size / 1048576).toLocaleString(C.lang, { maximumFractionDigits: 1 });
      if (pending.length >= lim.max_count) refused.push(t("too_many_photos", { max: lim.max_count }));
      else if (f.type && f.type.indexOf("image/") !== 0) refused.push(t("not_a_photo", { name: f.name }));
      else if (f.size > lim.max_bytes) refused.push(t("photo_too_large", { name: f.name, mb: mb, max: Math.round(lim.max_bytes / 1048576) }));
      else pending.push(f);
    });
    fileIn.value = "";  // choosing the same photo again still counts as a change
    err.textContent = refused.filter(function (r, i) { return refused.indexOf(r) === i; }).join(" ");
    showTray();  // the focus stays on the attach button, where the chooser returns it
  }
  function showTray() {
    previews.forEach(function (u) { URL.revokeObjectURL(u); });
    previews = []; tray.textContent = "";
    pending.forEach(function (f, i) {
      var u = URL.createObjectURL(f); previews.push(u);
      // A file this browser cannot draw shows a plain tile beside its name, not a broken image; the
      // server reads it when it is sent and says what is wrong.
      var img = el("img", { src: u, alt: "" });
      img.onerror = function () { if (img.isConnected) img.replaceWith(el("span", { "class": "unreadable", "aria-hidden": "true", text: "?" })); };
      tray.appendChild(el("li", { title: f.name }, [img, el("span", { "class": "sr", text: f.name }),
        el("button", { type: "button", "class": "rm", "aria-label": t("remove_photo", { name: f.name }), onclick: function () { pending.splice(i, 1); err.textContent = ""; showTray(); attach.focus(); } },
          [el("span", { "aria-hidden": "true", text: "\u00d7" })])]));
    });
    tray.hidden = !pending.length;
  }
  // A photo opens only with the visitor's token: fetched with it, shown from a blob: URL.
  function photoUrl(id, thumb) {
    var k = id + (thumb ? "t" : "");
    return blobs[k] || (blobs[k] = fetch(API + "/conversations/" + state.conversation + "/photos/" + id + (thumb ? "/thumb" : ""),
      { headers: { Authorization: "Bearer " + state.token }, credentials: "omit", mode: "cors" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.blob(); })
      .then(URL.createObjectURL, function (e) { delete blobs[k]; throw e; }));
  }
  function pic(p) {
    var img = el("img", { alt: "", width: String(p.width), height: String(p.height), onload: function () { if (atEnd) scrollDown(); } });
    // Its room is kept while it loads, and the whole photo shows: as wide as fits 200 by 260, in its own shape.
    img.style.aspectRatio = p.width + " / " + p.height; img.style.setProperty("--r", p.width / p.height);
    var b = el("button", { type: "button", "class": "pic", "aria-label": t("open_photo", { name: p.name }), onclick: function () { view(p, b); } }, [img]);
    photoUrl(p.id, true).then(function (u) { img.src = u; }, function () { b.classList.add("broken"); b.setAttribute("data-broken", T.photo_not_loaded); b.setAttribute("aria-label", t("photo_broken", { name: p.name })); });
    return b;
  }
  function view(p, from) {
    viewedFrom = from; viewer.hidden = false; panel.inert = true; viewImg.removeAttribute("src"); viewImg.alt = p.name;
    viewCap.textContent = t("photo_loading", { name: p.name });
    viewer.querySelector(".close").focus();
    photoUrl(p.id, false).then(function (u) { viewImg.src = u; viewCap.textContent = p.name; }, function () { viewCap.textContent = T.photo_failed; });
  }
  function unview() { viewer.hidden = true; panel.inert = false; if (viewedFrom) viewedFrom.focus(); }

  function onKey(e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); composer.requestSubmit ? composer.requestSubmit() : submit(e); }
    setTimeout(grow, 0);
  }
  // Empty, the box is one line: a placeholder that wraps (a long translation) does not make it taller.
  function grow() { input.style.height = "auto"; if (input.value) input.style.height = Math.min(input.scrollHeight, 120) + "px"; }

  function identify(e) {
    if (e) e.preventDefault();
    err.textContent = "";
    [nameIn, phoneIn, emailIn].forEach(function (f) { f.input.removeAttribute("aria-invalid"); });
    if (state.identified) return allow();
    if (!state.token) {  // nothing to attach the details to yet: they go with the first message
      if (!nameIn.input.value.trim()) { mark(nameIn, T.name_missing); return; }
      input.focus(); err.textContent = T.write_first; return;
    }
    call("POST", "/conversations/" + state.conversation + "/identify", {
      name: nameIn.input.value, phone: phoneIn.input.value, email: emailIn.input.value, consent: consentBox.checked, language: cfg && cfg.language, page: location.href
    }).then(function (r) {
      state.identified = true; state.name = r.name; state.reach = r.reach || []; save(); idForm.hidden = true; offerLater(); thank();
      input.focus();
    }, function (x) {
      var f = x.fields || {}, target = f.name ? nameIn : f.phone ? phoneIn : f.email ? emailIn : null;
      if (target) mark(target, (f.name || f.phone || f.email)[0]); else err.textContent = x.message;
    });
  }
  function mark(f, text) { f.input.setAttribute("aria-invalid", "true"); f.input.setAttribute("aria-describedby", "ts-err"); err.id = "ts-err"; err.textContent = text; f.input.focus(); }

  // ---- messages -----------------------------------------------------------------------------------
  function add(m) {
    if (!m || seen[m.id]) return;
    seen[m.id] = true; hint.hidden = true;
    state.lastMessage = Math.max(state.lastMessage || 0, m.id); save();
    var mine = m.from === "visitor";
    if (!mine && m.author && m.at) {  // a person of the store (the closed store's answer has no author)
      staffAt = Math.max(staffAt, Date.parse(m.at) || 0);
      if (answered() && idIntro.textContent === T.ask_when_closed) idIntro.textContent = T.ask_after_first;
    }
    var who = mine ? T.you : (m.author || C.name || T.store);
    var time = m.at ? new Date(m.at).toLocaleTimeString(C.lang, { hour: "numeric", minute: "2-digit" }) : "";
    var photos = m.photos || [], at = Date.parse(m.at) || 0;
    // A run of messages from one person within two minutes is headed once, as chats do; the later
    // ones keep their line for screen readers only.
    var same = last && last.who === who && at - last.at < 12e4;
    last = { who: who, at: at };
    list.appendChild(el("li", { "class": (mine ? "me" : "them") + (same ? " cont" : "") }, [
      el("span", { "class": same ? "who sr" : "who", text: who + (time ? " \u00b7 " + time : "") }),
      photos.length ? el("div", { "class": photos.length > 1 ? "pics many" : "pics" }, photos.map(pic)) : null,
      m.body ? el("p", { text: m.body }) : null  // textContent only: a message is never HTML
    ]));
    // New is a store's message after the last one the visitor saw (state.read, kept across page loads:
    // the history replayed on load is not new again).
    if (mine || isOpen) readUpTo(m.id);
    else if (m.id > (state.read || 0)) { unread++; showBadge(); }
    scrollDown();
  }
  function answered() { return Date.now() + skew - staffAt < 36e5; }
  function readUpTo(id) { if (id > (state.read || 0)) { state.read = id; save(); } }
  function scrollDown() { log.scrollTop = log.scrollHeight; }
  // Read to the end, the thread stays at its end when the panel gives it less room (photos to send, the form, an error).
  var atEnd = true;
  log.addEventListener("scroll", function () { atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4; });
  // So does it when what it holds grows at its end: a photo that loads, a long message that wraps anew.
  if (window.ResizeObserver) { var ro = new ResizeObserver(function () { if (atEnd) scrollDown(); }); ro.observe(log); ro.observe(list); }

  function forget() { state = {}; save(); offerLater(); if (ws) { ws.onclose = null; ws.close(); ws = null; } }

  function resume() {
    // Catch up over HTTP once (the websocket then sends only what happens next and what it missed).
    call("GET", "/conversations/" + state.conversation + "/messages?after=0").then(function (r) {
      r.messages.forEach(add);
      // A merge may have folded the chat into the customer's thread: the token opens that one now.
      if (r.conversation && r.conversation !== state.conversation) { state.conversation = r.conversation; save(); }
      if (r.identified) { state.identified = true; save(); }
      offer(); connect();
    }, function () { /* forgotten or offline: the visitor starts again */ });
  }

  function connect() {
    if (ws || !state.token || !window.WebSocket) { if (!window.WebSocket) poll(); return; }
    var url = C.base.replace(/^http/, "ws") + "/ws/widget/" + C.store + "/?token=" + encodeURIComponent(state.token);
    ws = new WebSocket(url);
    ws.onopen = function () {
      retry = 0; stopPoll();
      if (conn.textContent === T.reconnecting) conn.textContent = "";  // not the thanks for the details, said meanwhile
      ws.send(JSON.stringify({ type: "resume", after: state.lastEvent || 0 }));
    };
    ws.onmessage = function (ev) {
      var d; try { d = JSON.parse(ev.data); } catch (x) { return; }
      if (d.event) { state.lastEvent = Math.max(state.lastEvent || 0, d.event); save(); }
      if (d.type === "message") add(d.message);
    };
    ws.onclose = function (ev) {
      ws = null;
      if (ev.code === 4403 || ev.code === 4404) { forget(); return; }
      if (!state.token) return;
      conn.textContent = T.reconnecting;
      retry = Math.min(retry + 1, 6);
      if (retry > 1) poll();
      // Back off with jitter, so a restarted server is not hit by every visitor at once.
      wsTimer = setTimeout(connect, (500 * Math.pow(2, retry) * (0.5 + Math.random())) | 0);
    };
  }

  function poll() {
    if (pollTimer || !state.token) return;
    pollTimer = setInterval(function () {
      call("GET", "/conversations/" + state.conversation + "/messages?after=" + (state.lastMessage || 0)).then(function (r) { r.messages.forEach(add); }, function () {});
    }, 5000);
  }
  function stopPoll() { if (pollTimer) { clearInterval(pollTimer); pollTimer = null; } }
  void wsTimer;
})();
