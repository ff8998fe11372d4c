// The inbox, live: new messages and changes arrive over the staff websocket when it is there,
// otherwise by asking for the events since the last one every few seconds. Either way the page
// asks for what it missed after a drop, so nothing is lost and nothing shows twice.
const convo = document.querySelector(".convo");
const rows = document.getElementById("inbox-rows");
const root = convo || rows;
let lastEvent = Number(root?.dataset.lastEvent || 0);
const eventsUrl = root?.dataset.eventsUrl;

// The thread from after a message id: by default the last shown (new messages), or from just
// before a message whose status changed (it is fetched again and replaced).
async function refreshThread(from) {
  const thread = document.getElementById("thread");
  const last = thread.querySelector("li.msg:last-child");
  const shown = last ? Number(last.dataset.message) : 0;
  const after = from === undefined ? shown : Math.min(shown, from);
  const response = await fetch(`${convo.dataset.threadUrl}?after=${after}`, { headers: { Accept: "text/html" } });
  if (!response.ok) return;
  const html = (await response.text()).trim();
  if (!html) return;
  const template = document.createElement("template");
  template.innerHTML = html;
  for (const item of template.content.querySelectorAll("li.msg")) {
    const existing = document.getElementById(item.id);
    if (existing) existing.replaceWith(item); else thread.append(item);
  }
  showNewest();
}

// The newest message in full above the sticky composer: on opening, after a new one arrives, and when a
// photo above it finishes loading while the page is still where this put it (the person has not scrolled).
const composer = document.getElementById("composer");
let placedAt = null;
// Where a block starts on the screen, its first line's link included (the back link's tap area reaches
// above the head's own box).
function topOf(block) {
  const first = block.firstElementChild;
  return Math.min(block.getBoundingClientRect().top, first ? first.getBoundingClientRect().top : Infinity);
}
function showNewest() {
  const newest = document.getElementById("thread")?.lastElementChild;
  if (!newest) return;
  newest.scrollIntoView({ block: "end" });
  // The customer's name (the thread's head, with its actions) stays in view below the sticky top bar
  // while the thread from it down to the newest message fits above the reply box; else, on a phone, a
  // possible match at the top of the thread does; a long thread opens on the newest message.
  if (composer) {
    const bar = document.querySelector(".topbar");
    const inset = (bar && getComputedStyle(bar).position !== "static" ? bar.getBoundingClientRect().bottom : 0) + 8;
    const room = composer.getBoundingClientRect().top - inset;
    const match = document.getElementById("possible-match-top");
    const head = document.querySelector(".convo-head");
    let placed = false;
    for (const top of [head, match?.offsetHeight ? match : null]) {
      if (!top) continue;
      const from = topOf(top);
      if (newest.getBoundingClientRect().bottom - from > room) continue;
      if (from < inset) scrollBy(0, from - inset);
      placed = true;
      break;
    }
    // A thread a little too long for the screen left the head cut by the bar ("← Inbox" half under
    // it): scroll on until the head is past the bar (the newest message only rises), or, where the page
    // ends too soon for that, back until the head shows whole.
    const barBottom = inset - 8;
    if (!placed && head && topOf(head) < barBottom && head.getBoundingClientRect().bottom > barBottom) {
      scrollBy(0, head.getBoundingClientRect().bottom - barBottom);
      const from = topOf(head);
      if (head.getBoundingClientRect().bottom > barBottom + 1) scrollBy(0, from - inset);
    }
  }
  placedAt = scrollY;
}
if (convo && composer) {
  const measure = () => {
    const stuck = getComputedStyle(composer).position === "sticky";
    convo.style.setProperty("--composer-height", `${stuck ? composer.offsetHeight : 0}px`);
    if (scrollY === placedAt) showNewest(); // a reply box growing with its text does not cover the newest
  };
  measure();
  new ResizeObserver(measure).observe(composer);
  document.getElementById("thread").addEventListener("load", () => { if (scrollY === placedAt) showNewest(); }, true);
}

function apply(event) {
  if (event.id <= lastEvent) return; // seen already (backfill overlaps the live stream)
  lastEvent = event.id;
  const p = event.payload || {};
  if (convo) {
    if ((event.kind === "message" || event.kind === "message_status") && String(p.conversation) === convo.dataset.conversation) {
      refreshThread(event.kind === "message_status" ? Number(p.id) - 1 : undefined);
    }
  } else if (rows && (event.kind === "message" || event.kind === "conversation" || event.kind === "overdue")) {
    scheduleReload();
  }
  if (event.kind === "message" && p.direction === "in" && String(p.conversation) !== convo?.dataset.conversation) {
    // Who wrote, as the list names them: a visitor who left no name is the "Website visitor" of its row.
    toast(p.customer || root.dataset.visitorText || "New message", p.body || "", `/inbox/${p.conversation}/`);
  }
  // An @mention goes to the whole store's stream; only the people it names are told, and for longer.
  if (event.kind === "mention" && (p.users || []).map(String).includes(root.dataset.user)) {
    const customer = p.customer || customerShown(p.conversation);
    const words = (customer ? root.dataset.mentionText : root.dataset.mentionShortText) || "{by} mentioned you in a note";
    const by = p.by || root.dataset.someoneText || "";
    const title = words.replace("{by}", () => by).replace("{customer}", () => customer);
    toast(title, p.body || "", `/inbox/${p.conversation}/#m${p.message}`, 20000);
    refreshMentionsCount();
  }
  // This person read their mentions on another page (another tab, their phone): fewer to count here.
  if (event.kind === "mentions_read" && (p.users || []).map(String).includes(root.dataset.user)) refreshMentionsCount();
}

// The navigation's "@ 2 mentions", fetched again when a note names this person (the server counts,
// in this person's language).
async function refreshMentionsCount() {
  const slot = document.querySelector("[data-mentions-slot]");
  if (!slot) return;
  const response = await fetch(slot.dataset.mentionsSlot, { headers: { Accept: "text/html" } });
  if (response.ok) slot.innerHTML = (await response.text()).trim();
}

// The customer's name as this page shows it (the open conversation's title, or its row in the list).
function customerShown(conversation) {
  if (convo && convo.dataset.conversation === String(conversation)) return document.getElementById("convo-title")?.textContent.trim() || "";
  return rows?.querySelector(`[data-conversation="${Number(conversation)}"] .inbox-name`)?.textContent.trim() || "";
}

// A new message elsewhere shows for a few seconds at the bottom (and is read out), with a link to it.
function toast(title, body, href, showFor = 8000) {
  let box = document.getElementById("toasts");
  if (!box) {
    box = document.createElement("div");
    box.id = "toasts";
    box.className = "toasts";
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    document.body.append(box);
    addEventListener("scroll", () => placeToasts(box), { passive: true });
    addEventListener("resize", () => placeToasts(box));
  }
  const link = document.createElement("a");
  link.className = "toast";
  link.href = href;
  const strong = document.createElement("strong");
  strong.textContent = title;
  const text = document.createElement("span");
  text.textContent = body.length > 120 ? `${body.slice(0, 119)}…` : body;
  link.append(strong, text);
  box.append(link);
  placeToasts(box);
  setTimeout(() => link.remove(), showFor);
}

// The notices stand clear of what is tapped at the bottom of the screen: above a phone's bottom bar, and
// in an open conversation within the thread's column (on a desk the customer's panel, with its buttons,
// is beside it), above the reply box when it is stuck to the bottom. The top bar is never covered.
function placeToasts(box) {
  if (!box.firstElementChild) return;
  let lift = 0;
  for (const bar of document.querySelectorAll(".action-bar")) {
    if (bar.offsetHeight && getComputedStyle(bar).position === "fixed") lift = Math.max(lift, innerHeight - bar.getBoundingClientRect().top);
  }
  const composer = document.getElementById("composer");
  if (composer?.offsetHeight) {
    const column = composer.getBoundingClientRect();
    box.style.right = `${innerWidth - column.right}px`;
    box.style.maxWidth = `${column.width}px`;
    const gap = parseFloat(getComputedStyle(box).bottom) - (parseFloat(box.style.getPropertyValue("--toasts-lift")) || 0);
    if (column.bottom > innerHeight - gap - box.offsetHeight) lift = Math.max(lift, innerHeight - column.top);
  }
  box.style.setProperty("--toasts-lift", `${Math.max(0, lift)}px`);
}

let reloadTimer = null;
let reloads = 0;
function scheduleReload() {
  // The list is server-rendered: fetch it again (debounced) and swap the rows in place, and the
  // tabs' counts with them (the page counts them for this person, in this store: no event carries
  // everyone's "Mine"). A slower, older answer never replaces a newer one.
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(async () => {
    const mine = ++reloads;
    const response = await fetch(location.href, { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    if (mine !== reloads) return;
    const fresh = doc.getElementById("inbox-rows");
    if (fresh) rows.replaceChildren(...fresh.children);
    // The tabs (their counts, and the search and filters their links carry), the error and the next
    // page's link, as a full load of this address would show them.
    for (const selector of ["nav.tabs", "#inbox-error", "#inbox-more"]) {
      const here = document.querySelector(selector), now = doc.querySelector(selector);
      if (here && now) here.replaceChildren(...now.childNodes);
    }
  }, 300);
}

// The search answers as you type and the menus apply when changed (the address kept in step, so a
// reload or Back shows the same list); the rows come from the server as above. Without this script
// the form is a plain GET with its Show button.
const filterForm = document.querySelector("form.inbox-filters");
if (rows && filterForm) {
  const follow = () => {
    const url = new URL(location.pathname, location.href);
    for (const [name, value] of new FormData(filterForm)) if (value) url.searchParams.set(name, value.trim());
    if (url.href === location.href) return;
    history.replaceState(history.state, "", url);
    scheduleReload();
  };
  filterForm.querySelector("input[name=q]")?.addEventListener("input", follow);
  for (const select of filterForm.querySelectorAll("select")) select.addEventListener("change", follow);
}

async function backfill() {
  if (!eventsUrl) return;
  const response = await fetch(`${eventsUrl}?after=${lastEvent}`, { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const data = await response.json();
  for (const event of data.events) apply(event);
}

let polling = null;
function poll() {
  if (polling) return;
  polling = setInterval(backfill, 4000);
}

function connect(attempt = 0) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  let socket;
  try {
    socket = new WebSocket(`${scheme}://${location.host}/ws/staff/`);
  } catch {
    poll();
    return;
  }
  socket.addEventListener("open", () => {
    attempt = 0;
    clearInterval(polling);
    polling = null;
    socket.send(JSON.stringify({ type: "since", after: lastEvent }));
  });
  socket.addEventListener("message", (message) => {
    try { apply(JSON.parse(message.data)); } catch { /* a malformed frame is ignored */ }
  });
  socket.addEventListener("close", () => {
    poll();
    const delay = Math.min(30000, 1000 * 2 ** attempt) * (0.5 + Math.random());
    setTimeout(() => connect(attempt + 1), delay);
  });
}

if (root && eventsUrl) {
  if (!lastEvent) backfill();
  connect();
}

// The composer grows with its text; Ctrl/Cmd+Enter sends.
const body = document.getElementById("reply-body");
body?.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    body.form.querySelector('button[value="reply"]').click();
  }
});
// How long the reply may be on the channel chosen (the server refuses the same: messaging/limits.py).
// The count shows once the text gets long (for a text, once it takes more than one), turns into a warning
// over the limit, and Send then refuses: nothing is cut, a paste stays whole for its author to shorten.
// Sending nothing (no words, no photos) is refused the same way, with the server's words for it.
const limitsData = document.getElementById("composer-limits");
const counter = document.getElementById("reply-count");
const GSM = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXT = "^{}\\[~]|€\f";
function smsSegments(text) {
  let septets = 0;
  for (const ch of text) {
    if (GSM.includes(ch)) septets += 1;
    else if (GSM_EXT.includes(ch)) septets += 2;
    else { septets = -1; break; }
  }
  if (septets >= 0) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  const units = text.length; // UCS-2 counts UTF-16 units: an emoji takes two
  return units <= 70 ? 1 : Math.ceil(units / 67);
}
function composerCheck(kind, sending = false) {
  if (!limitsData || !body || !counter) return true;
  const config = JSON.parse(limitsData.textContent);
  const channelSelect = document.getElementById("reply-channel");
  const channel = channelSelect?.value || "";
  const text = body.value.trim();
  const n = [...text].length; // characters as the server counts them (code points)
  const note = kind === "note";
  const max = note ? config.note : config.limits[channel] || config.note;
  const fmt = (v) => v.toLocaleString(document.documentElement.lang || undefined);
  const fill = (words, extra = {}) =>
    words.replace(/\{(\w+)\}/g, (all, k) => ({ n: fmt(n), max: fmt(max), channel: config.names[channel] || "", ...extra })[k] ?? all);
  const photos = document.getElementById("reply-files")?.files.length || 0;
  const empty = sending && !text && !photos;
  const over = n > max;
  let words = "";
  if (empty) {
    words = note ? config.words.note_empty : config.words.empty;
  } else if (over) {
    words = fill(note ? config.words.note_over : config.words.over);
  } else if (!note && channel === "sms" && text) {
    const segments = smsSegments(text);
    if (segments > 1 || n > max * 0.6) words = fill(config.words.segments, { segments: fmt(segments) });
  } else if (n > max * 0.8) {
    words = fill(config.words.count);
  }
  counter.textContent = words;
  counter.hidden = !words;
  const wrong = over || empty;
  counter.classList.toggle("is-over", wrong);
  counter.setAttribute("role", wrong ? "alert" : "status");
  if (wrong) body.setAttribute("aria-invalid", "true"); else body.removeAttribute("aria-invalid");
  return !wrong;
}
// A newer error said beside the reply box replaces an older one said at the top of the page (such as
// "Write a note first." from the last try): only the error that is true now stays in view.
function clearOlderErrors() {
  const flash = document.querySelector(".flash");
  if (!flash) return;
  for (const notice of flash.querySelectorAll("p.flash-error, p.flash-warning")) notice.remove();
  if (!flash.querySelector("p")) flash.remove();
}
if (body && counter) {
  body.addEventListener("input", () => composerCheck());
  document.getElementById("reply-channel")?.addEventListener("change", () => composerCheck());
  body.form.addEventListener("submit", (event) => {
    const kind = event.submitter?.value || "reply";
    if (!composerCheck(kind, true)) {
      event.preventDefault();
      clearOlderErrors();
      body.focus();
    }
  });
  composerCheck();
}

// The conversation's actions menu (assignment, status, snooze) at the top of the thread: open when the
// page comes back to it (#conversation-panel, after saving), closed by its button or Escape. Open, it
// pushes the thread down (it covers nothing).
const actions = document.getElementById("conversation-actions");
if (actions) {
  if (location.hash === "#conversation-panel") actions.open = true;
  actions.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && actions.open) {
      actions.open = false;
      actions.querySelector("summary").focus();
    }
  });
}

// A half-written reply is kept on this device, per store, conversation and person, until it is sent or
// added as a note: leaving the page and coming back finds it as it was. A reply the server refused comes
// back in the box (its own draft) and is kept from there.
const draftKey = convo && body ? `trunkshow:draft:${convo.dataset.store}:${convo.dataset.conversation}:${convo.dataset.user}` : null;
if (draftKey) {
  const channelMenu = document.getElementById("reply-channel");
  const save = () => {
    try {
      if (body.value.trim()) localStorage.setItem(draftKey, JSON.stringify({ body: body.value, channel: channelMenu?.value || "" }));
      else localStorage.removeItem(draftKey);
    } catch { /* storage full or refused: the draft is not kept */ }
  };
  let kept = null;
  try { kept = JSON.parse(localStorage.getItem(draftKey) || "null"); } catch { kept = null; }
  if (body.value.trim()) {
    save();
  } else if (kept?.body) {
    body.value = kept.body;
    if (channelMenu && [...channelMenu.options].some((o) => o.value === kept.channel)) channelMenu.value = kept.channel;
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }
  body.addEventListener("input", save);
  channelMenu?.addEventListener("change", save);
  body.form.addEventListener("submit", (event) => {
    if (!event.defaultPrevented) try { localStorage.removeItem(draftKey); } catch { /* nothing kept */ }
  });
}

// A link to one message (#m123) opens on it; otherwise the conversation opens on its newest message.
// After saving the status or the assignment (#conversation-panel), it stays on that panel.
const linked = location.hash.length > 1 && !["#composer", "#write"].includes(location.hash) && document.getElementById(location.hash.slice(1));
if (linked) linked.scrollIntoView({ block: location.hash.startsWith("#m") ? "center" : "start" }); else showNewest();
// Back from sending or adding a note (#composer, where the page would be without this script): the
// browser's own jump to the reply box comes after this script and, on a phone, put the box at the top
// with the message just written above the screen. The newest message is shown once the page is in.
if (convo && location.hash === "#composer") {
  history.replaceState(history.state, "", location.pathname + location.search);
  addEventListener("load", () => requestAnimationFrame(showNewest), { once: true });
}
// From the customer's profile ("Message", #write): the thread at its newest and the cursor in the reply box.
if (convo && location.hash === "#write") {
  history.replaceState(history.state, "", location.pathname + location.search);
  body?.focus({ preventScroll: true });
  addEventListener("load", () => requestAnimationFrame(showNewest), { once: true });
}

// Saved replies go in at the cursor, to be edited before sending (never sent as they are).
// A {first_name} this customer has no value for says at once what to do, while it is in the text.
const nameHint = document.getElementById("reply-name-hint");
const showNameHint = () => { if (nameHint && body) nameHint.hidden = !body.value.includes(nameHint.dataset.field); };
body?.addEventListener("input", showNameHint);
for (const button of document.querySelectorAll("[data-insert]")) {
  button.addEventListener("click", () => {
    // Written after text, it starts a new word (a space, on the same line as the sentence before it);
    // text right after the cursor is kept apart the same way: never "…sentence.Thank you…".
    const start = body.selectionStart ?? body.value.length;
    const end = body.selectionEnd ?? start;
    const before = body.value.slice(0, start), after = body.value.slice(end);
    const text = (before && !/\s$/.test(before) ? " " : "") + button.dataset.insert + (after && !/^\s/.test(after) ? " " : "");
    body.setRangeText(text, start, end, "end");
    body.dispatchEvent(new Event("input", { bubbles: true }));
    body.focus();
    button.closest("details")?.removeAttribute("open");
    showNameHint();
  });
}

// WhatsApp templates: the preview follows the values as they are typed; an empty one shows as {{n}}.
for (const form of document.querySelectorAll("form.wa-send")) {
  const preview = form.querySelector(".wa-preview");
  const text = form.dataset.template || "";
  const update = () => {
    const values = {};
    for (const input of form.querySelectorAll("input[data-key]")) values[input.dataset.key] = input.value.trim();
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(/\{\{\s*(\d+)\s*\}\}/g)) {
      parts.push(document.createTextNode(text.slice(last, match.index)));
      const value = values[String(Number(match[1]))];
      if (value) {
        parts.push(document.createTextNode(value));
      } else {
        const mark = document.createElement("mark");
        mark.textContent = match[0];
        parts.push(mark);
      }
      last = match.index + match[0].length;
    }
    parts.push(document.createTextNode(text.slice(last)));
    preview.replaceChildren(...parts);
  };
  form.addEventListener("input", update);
  update();
}

// Photos: checked on the device as soon as they are chosen, against the server's own limits (the
// input's data attributes, from messaging/photos.py): too many, too big or not a JPEG, PNG, WEBP or
// GIF is said at once beside the input, and the photos that pass are kept (a new choice adds to
// them). Each kept photo has a removable preview. Without this script the form posts them as they are.
const fileInput = document.getElementById("reply-files");
const photoList = document.getElementById("reply-photos");
const photoError = document.getElementById("reply-photos-error");
if (fileInput && photoList && "DataTransfer" in window) {
  const limits = fileInput.dataset;
  const maxCount = Number(limits.maxCount), maxBytes = Number(limits.maxBytes);
  const types = (limits.types || "").split(" ");
  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (all, key) => (key in values ? values[key] : all));
  let kept = [];
  let urls = [];
  const keep = () => {
    const chosen = new DataTransfer();
    kept.forEach((file) => chosen.items.add(file));
    fileInput.files = chosen.files;
  };
  const render = () => {
    urls.forEach((url) => URL.revokeObjectURL(url));
    urls = [];
    photoList.replaceChildren();
    kept.forEach((file, index) => {
      const item = document.createElement("li");
      const img = document.createElement("img");
      const url = URL.createObjectURL(file);
      urls.push(url);
      // A file that says it is a JPEG, PNG, WEBP or GIF and that the browser cannot draw is no photo
      // (a renamed document): it is refused here, as the server would refuse the whole message, so
      // the photos and words beside it are not lost to a round trip. A file of a type the browser
      // does not know (an iPhone's HEIC) shows its name instead of a broken tile; the server reads it
      // when it is sent and says what is wrong.
      img.addEventListener("error", () => {
        if (!img.isConnected) return; // drawn again since (its address revoked)
        if (file.type && types.includes(file.type)) {
          kept = kept.filter((f) => f !== file);
          keep();
          const said = photoError?.textContent ? `${photoError.textContent} ` : "";
          if (photoError) photoError.textContent = said + fill(limits.notPhoto, { name: file.name });
          fileInput.setAttribute("aria-invalid", "true");
          clearOlderErrors();
          render();
          return;
        }
        const name = document.createElement("span");
        name.className = "photo-unreadable";
        name.textContent = file.name;
        img.replaceWith(name);
      }, { once: true });
      img.src = url;
      img.alt = file.name;
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "×";
      remove.setAttribute("aria-label", `${limits.removeText || "Remove"} ${file.name}`);
      remove.addEventListener("click", () => {
        kept = kept.filter((f, i) => i !== index);
        keep();
        if (photoError) photoError.textContent = "";
        fileInput.removeAttribute("aria-invalid");
        render();
        fileInput.focus();
      });
      item.append(img, remove);
      photoList.append(item);
    });
    photoList.hidden = kept.length === 0;
  };
  fileInput.addEventListener("change", () => {
    const refused = [], leftOut = [];
    const mb = (bytes) => (bytes / 1048576).toLocaleString(document.documentElement.lang || undefined, { maximumFractionDigits: 1 });
    for (const file of fileInput.files) {
      // A type the browser does not know ("") is left to the server, which reads the file itself.
      if (file.type && !types.includes(file.type)) refused.push(fill(limits.notPhoto, { name: file.name }));
      else if (file.size > maxBytes) refused.push(fill(limits.tooLarge, { name: file.name, mb: mb(file.size) }));
      else if (kept.length >= maxCount) leftOut.push(`“${file.name}”`);
      else kept.push(file);
    }
    if (leftOut.length) refused.push(fill(limits.tooMany, { names: leftOut.join(", ") }));
    keep();
    if (photoError) photoError.textContent = refused.join(" ");
    if (refused.length) clearOlderErrors();
    if (refused.length) fileInput.setAttribute("aria-invalid", "true"); else fileInput.removeAttribute("aria-invalid");
    render();
  });
}

// Web push: offered where the browser can do it; the phone then shows new messages even when closed.
const pushButton = document.getElementById("push-on");
const pushStatus = document.getElementById("push-status");
function csrf() {
  return document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1] || "";
}
function b64ToBytes(b64) {
  const raw = atob((b64 + "=".repeat((4 - (b64.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}
// The service worker (the offline page, and what makes the app installable) from the first inbox page on,
// the list included (the manifest's start_url), not only once notifications are turned on.
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
if (pushButton && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window) {
  if (Notification.permission !== "denied") pushButton.hidden = false;
  pushButton.addEventListener("click", async () => {
    const say = (text) => { pushStatus.hidden = false; pushStatus.textContent = text; };
    try {
      if ((await Notification.requestPermission()) !== "granted") {
        say(pushButton.dataset.deniedText || "Notifications are blocked for this site in the browser's settings.");
        return;
      }
      const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      const { public_key: key } = await (await fetch(pushButton.dataset.keyUrl)).json();
      const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: b64ToBytes(key) });
      const response = await fetch(pushButton.dataset.subscribeUrl, {
        method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() }, body: JSON.stringify(subscription),
      });
      if (!response.ok) throw new Error((await response.json()).error.message);
      pushButton.hidden = true;
      say("This device will be notified of new messages.");
    } catch (error) {
      say(`Notifications could not be turned on: ${error.message}`);
    }
  });
}

// @mentions: typing "@" and the start of a colleague's name offers those it could be (their name, and
// the handle that tells them apart); arrows move, Enter or Tab takes one, Escape closes. Chosen, it is
// written as "@Handle " in place of what was typed, so the note reaches them.
const mentionBox = document.getElementById("reply-body");
const mentionList = document.getElementById("mention-list");
const mentionData = document.getElementById("mention-choices");
if (mentionBox && mentionList && mentionData) {
  const people = JSON.parse(mentionData.textContent || "[]");
  const folded = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  let open = [], active = -1, typedAt = -1;
  mentionBox.setAttribute("aria-autocomplete", "list");
  mentionBox.setAttribute("aria-controls", "mention-list");
  const close = () => {
    open = []; active = -1; mentionList.hidden = true; mentionList.replaceChildren();
    mentionBox.removeAttribute("aria-activedescendant");
  };
  const choose = (person) => {
    const caret = mentionBox.selectionStart;
    const text = mentionBox.value;
    const inserted = `@${person.handle} `;
    mentionBox.value = text.slice(0, typedAt) + inserted + text.slice(caret);
    const at = typedAt + inserted.length;
    mentionBox.setSelectionRange(at, at);
    close();
    mentionBox.focus();
    mentionBox.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const highlight = (index) => {
    active = index;
    [...mentionList.children].forEach((item, i) => item.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) mentionBox.setAttribute("aria-activedescendant", mentionList.children[index].id);
  };
  mentionBox.addEventListener("input", () => {
    const before = mentionBox.value.slice(0, mentionBox.selectionStart);
    const match = before.match(/(^|[^\w@])@([\p{L}\p{N}._-]{0,40})$/u);
    if (!match) return close();
    typedAt = before.length - match[2].length - 1;
    const typed = folded(match[2]);
    open = people.filter((p) => folded(p.name).split(/\s+/).some((w) => w.startsWith(typed)) || folded(p.handle).startsWith(typed)).slice(0, 6);
    if (!open.length || (open.length === 1 && folded(open[0].handle) === typed)) return close();
    mentionList.replaceChildren(...open.map((person, i) => {
      const item = document.createElement("li");
      item.id = `mention-${i}`;
      item.setAttribute("role", "option");
      const name = document.createElement("span");
      name.textContent = person.name;
      const handle = document.createElement("span");
      handle.className = "muted";
      handle.textContent = ` @${person.handle}`;
      item.append(name, handle);
      item.addEventListener("mousedown", (event) => { event.preventDefault(); choose(person); });
      return item;
    }));
    mentionList.hidden = false;
    highlight(0);
  });
  mentionBox.addEventListener("keydown", (event) => {
    if (mentionList.hidden || !open.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      highlight((active + (event.key === "ArrowDown" ? 1 : open.length - 1)) % open.length);
    } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
      event.preventDefault();
      choose(open[active]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  mentionBox.addEventListener("blur", () => setTimeout(close, 150));
}
