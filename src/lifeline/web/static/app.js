// Keyboard first: every decision has a key; clocks tick without reloads; htmx carries the CSRF token.
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) event.detail.headers["X-CSRF-Token"] = token.content;
});

// Letter keys (D) work with Caps Lock or Shift too, but not with Ctrl/Alt/Meta nor while typing in a field.
document.addEventListener("keydown", (event) => {
  const letter = event.key.length === 1;
  if (event.ctrlKey || event.altKey || event.metaKey) return;
  if (letter && event.target.closest("input, textarea, select, [contenteditable]")) return;
  const key = letter ? event.key.toLowerCase() : event.key;
  const search = document.getElementById("search-q");
  if (key === "/" && search && !event.target.closest("input, textarea, select, [contenteditable]")) {
    event.preventDefault(); // "/" finds an incident from any page, as in most consoles
    search.focus();
    return;
  }
  // Only a key on screen counts: the same key means one thing per tab (F2 派警 on a call, 已接通 on a call-back).
  const button = [...document.querySelectorAll(`[data-key="${key}"]`)].find((b) => b.offsetParent !== null);
  if (button && !button.disabled) {
    event.preventDefault();
    // A button swapped in by a live refresh is on screen a moment before htmx takes it over; hand it over now
    // (a no-op once done), or the key would fall on a dead button.
    if (window.htmx) htmx.process(button);
    button.click();
  }
});

const ENGLISH = document.documentElement.lang === "en";

// Elements with data-since (ISO time) show the seconds elapsed; past data-limit seconds they turn red.
function tick() {
  const now = Date.now();
  document.querySelectorAll("[data-since]").forEach((el) => {
    const seconds = Math.max(0, Math.floor((now - Date.parse(el.dataset.since)) / 1000));
    const limit = Number(el.dataset.limit || 60);
    el.textContent = seconds < 3600 ? `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}` : `${Math.floor(seconds / 3600)}h`;
    el.classList.toggle("late", seconds > limit);
  });
  document.querySelectorAll("[data-until]").forEach((el) => {
    const seconds = Math.floor((Date.parse(el.dataset.until) - now) / 1000);
    const abs = Math.abs(seconds);
    const [h, m, s, late] = ENGLISH ? ["h ", "m ", "s", "overdue "] : ["小时", "分", "秒", "超时 "];
    const text = abs < 3600 ? `${Math.floor(abs / 60)}${m}${abs % 60}${s}` : `${Math.floor(abs / 3600)}${h}${Math.floor((abs % 3600) / 60)}${m.trim()}`;
    el.textContent = seconds < 0 ? `${late}${text}` : text;
    el.classList.toggle("late", seconds < 0);
  });
}
setInterval(tick, 1000);
document.addEventListener("htmx:afterSwap", tick);
document.addEventListener("DOMContentLoaded", tick);

// Tabs (接警 / 待回拨): one panel shown at a time; #callbacks in the address opens that tab.
function showTab(name) {
  document.querySelectorAll("[data-tab]").forEach((tab) => tab.setAttribute("aria-selected", String(tab.dataset.tab === name)));
  document.querySelectorAll("[data-panel]").forEach((panel) => { panel.hidden = panel.dataset.panel !== name; });
  if (name === "callbacks") {
    pickCallback(document.getElementById("attempt-incident").value || firstCallback());
    document.getElementById("attempt-note").focus();
  } else if (name === "take") {
    document.getElementById("text").focus();
  }
}
document.addEventListener("click", (event) => {
  const tab = event.target.closest("[data-tab]");
  if (tab) showTab(tab.dataset.tab);
  const pick = event.target.closest("[data-pick]");
  if (pick) {
    pickCallback(pick.dataset.pick);
    document.getElementById("attempt-note").focus();
  }
});
document.addEventListener("DOMContentLoaded", () => {
  if (location.hash === "#callbacks" && document.getElementById("tab-callbacks")) showTab("callbacks");
});

// The call-back attempt acts on one call: the one picked, else the oldest waiting.
function firstCallback() {
  const row = document.querySelector("#callbacks tr[data-incident]");
  return row ? row.dataset.incident : "";
}
function pickCallback(id) {
  const field = document.getElementById("attempt-incident");
  if (!field) return;
  if (id && !document.querySelector(`#callbacks tr[data-incident="${id}"]`)) id = firstCallback();
  field.value = id || "";
  document.getElementById("attempt-label").textContent = id ? `#${id}` : "—";
  document.querySelectorAll("#callbacks tr[data-incident]").forEach((row) => row.classList.toggle("picked", row.dataset.incident === id));
  document.querySelectorAll("#attempt button").forEach((button) => { button.disabled = !id; });
}
// After the list refreshes, the picked call stays picked (or the oldest is, when it left the queue).
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id === "callbacks") pickCallback(document.getElementById("attempt-incident").value);
});
document.addEventListener("callback-recorded", () => {
  const note = document.getElementById("attempt-note");
  if (note) note.value = "";
});

// After a call is recorded, the form is ready for the next one at once: suggestion, history and duplicates go.
document.addEventListener("call-recorded", () => {
  const form = document.getElementById("call");
  if (!form) return;
  form.reset();
  for (const id of ["suggestion", "caller", "duplicates", "contact"]) {
    const part = document.getElementById(id);
    if (part) part.innerHTML = ""; // the contact on the line is recorded: its panel (and its id) go too
  }
  document.getElementById("text").focus();
});

// A call taken from the queue: the channel follows the contact, and the words are typed at once.
document.addEventListener("contact-taken", () => {
  const taken = document.getElementById("contact-taken");
  const text = document.getElementById("text");
  if (taken && text) text.focus();
});

// Once a unit is sent, the recommendation for that incident is spent: clear it so Enter cannot send again.
document.addEventListener("unit-assigned", () => {
  const panel = document.getElementById("recommend");
  if (panel) panel.innerHTML = "";
});

// htmx swaps no error answer: a refused form (422, 413…) says why in the toast, from its problem detail.
document.addEventListener("htmx:responseError", (event) => {
  const xhr = event.detail.xhr;
  const box = document.getElementById("toast");
  if (!box || !(xhr.getResponseHeader("content-type") || "").startsWith("application/problem+json")) return;
  let detail = `${xhr.status} ${xhr.statusText}`;
  try {
    detail = JSON.parse(xhr.responseText).detail || detail;
  } catch (_) {
    // not JSON after all: the status line says enough
  }
  const message = document.createElement("div");
  message.className = "toast late";
  message.id = "toast-message";
  message.setAttribute("role", "status");
  message.textContent = detail;
  box.replaceChildren(message);
});

// A key pressed just as a refresh swaps a form in can reach it before htmx has taken it over (the dispatcher's
// Enter on a fresh recommendation, a move on the incident page): rather than let the browser send it as a plain
// page request, hand the form to htmx and send it again.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || !form.hasAttribute("hx-post") || form.dataset.resent) return;
  event.preventDefault();
  form.dataset.resent = "1"; // once: should htmx still not take it, the browser's own submit is the last resort
  htmx.process(form);
  const button = event.submitter;
  setTimeout(() => form.requestSubmit(button)); // not within this submit: the browser would ignore it
});
