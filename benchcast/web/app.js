// benchcast market page: plain JS modules, no build step. Identity, live updates, the lists.
"use strict";
import { $, ago, api, closing, colorOf, h, isClosed, money, pct, resolutionText, session, shares, signed, tone, trades, when } from "./lib.js";
import { refreshDetail, selectQuestion, state } from "./question.js";
import { refreshPlayers } from "./host.js";

const LINK_PENDING = "benchcast-link-pending";

// ---- identity ------------------------------------------------------------------------------
function link() { return `${location.origin}/#token=${session.token}`; }

function tokenFrom(text) {
  const m = /token=([^&\s]+)/.exec(text);
  return decodeURIComponent(m ? m[1] : text).trim();
}

function clearStorage() {
  for (const k of Object.keys(localStorage)) if (k.startsWith("benchcast-")) localStorage.removeItem(k);
}

async function enter(token, { fresh = false } = {}) {
  session.token = token;
  try {
    state.me = await api("GET", "/api/me");
  } catch (err) {
    session.token = null;
    clearStorage();
    showJoin(err.status === 401 ? "This link or token does not open any account here: the host may have issued you a new one, or removed you." : err.message);
    return;
  }
  localStorage.setItem("benchcast-token", token);
  if (fresh) localStorage.setItem(LINK_PENDING, "1");
  showApp();
}

function showJoin(message) {
  $("app").hidden = true;
  $("me-summary").hidden = true;
  $("join-panel").hidden = false;
  $("join-error").textContent = message || "";
}

function showApp() {
  $("join-panel").hidden = true;
  $("app").hidden = false;
  $("me-summary").hidden = false;
  $("link-text").value = link();
  $("link-panel").hidden = !localStorage.getItem(LINK_PENDING);
  renderMe();
  connect();
  refreshAll();
}

$("join-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("join-error").textContent = "";
  try {
    const out = await api("POST", "/api/join", { name: $("join-name").value, invite: $("join-invite").value || null });
    await enter(out.token, { fresh: true });
  } catch (err) { $("join-error").textContent = err.message; }
});
$("token-form").addEventListener("submit", (e) => { e.preventDefault(); enter(tokenFrom($("token-input").value)); });
$("logout").addEventListener("click", () => {
  if (!confirm("Leave on this device? Come back any time with your personal link.")) return;
  clearStorage();
  location.replace(location.pathname);  // a fresh page: nothing of this player stays in memory
});
$("show-link").addEventListener("click", () => { $("link-text").value = link(); $("link-panel").hidden = false; $("link-panel").scrollIntoView({ block: "nearest" }); });
$("link-copy").addEventListener("click", async () => {
  $("link-text").select();
  try { await navigator.clipboard.writeText($("link-text").value); $("link-copy").textContent = "Copied"; } catch (_) { document.execCommand("copy"); }
});
$("link-done").addEventListener("click", () => { localStorage.removeItem(LINK_PENDING); $("link-panel").hidden = true; });

// ---- live updates: Server-Sent Events, polling when they fail ------------------------------
let source = null, pollTimer = null, pending = null;
function connect() {
  if (source) return;
  if (!window.EventSource) { setLive("polling"); poll(); return; }
  source = new EventSource("/api/events");
  source.addEventListener("change", () => { setLive("live"); soon(); });
  source.onopen = () => { setLive("live"); clearInterval(pollTimer); pollTimer = null; };
  source.onerror = () => { setLive("polling"); poll(); };
}
function poll() { if (!pollTimer) pollTimer = setInterval(() => { if (!document.hidden) refreshAll(); }, 2000); }
function setLive(mode) { $("live").textContent = mode === "live" ? "● live" : "○ polling"; $("live").dataset.mode = mode; }
function soon() { clearTimeout(pending); pending = setTimeout(refreshAll, 100); }

export async function refreshAll() {
  if (!session.token) return;
  await Promise.all([refreshQuestions(), refreshMe(), refreshLeaderboard(), refreshActivity(), refreshDetail(), refreshPlayers()]);
}

// ---- the lists -----------------------------------------------------------------------------
async function refreshMe() {
  try {
    const [me, hist] = await Promise.all([api("GET", "/api/me"), api("GET", "/api/me/history")]);
    state.me = me;
    state.myHistory = hist;
    renderMe();
  } catch (err) {
    if (err.status === 401) { clearStorage(); session.token = null; showJoin("Your link stopped working: the host issued a new one or removed you."); }
  }
}

function empty(cols, text) { return [h("tr", {}, h("td", { colspan: cols, class: "muted" }, text))]; }

function renderMe() {
  const me = state.me;
  if (!me) return;
  $("me-name").textContent = me.name + (me.is_host && me.name !== "host" ? " (host)" : "");
  $("me-balance").textContent = money(me.balance);
  $("me-value").textContent = money(me.value);
  $("me-profit").textContent = signed(me.profit);
  $("me-profit").className = tone(me.profit);
  $("positions").tBodies[0].replaceChildren(...(me.positions.length ? me.positions.map((p) => h("tr", {},
    h("td", {}, h("a", { href: "#", onclick: (e) => { e.preventDefault(); selectQuestion(p.question_id); } }, p.title)),
    h("td", {}, p.outcome), h("td", { class: "num" }, shares(p.shares)), h("td", { class: "num" }, money(p.value))))
    : empty(4, "No open positions.")));
  $("orders-box").hidden = !me.open_orders.length;
  $("open-orders").tBodies[0].replaceChildren(...me.open_orders.map((o) => h("tr", {},
    h("td", {}, o.title), h("td", {}, `${o.side} ${o.outcome} ` + (o.side === "buy" ? `for ${money(o.remaining)} of ${money(o.amount)}` : `${shares(o.remaining)} of ${shares(o.shares)} shares`)),
    h("td", { class: "num" }, pct(o.limit_price)), h("td", {}, h("button", { class: "link", onclick: () => cancelOrder(o.order_id) }, "cancel")))));
  const hist = state.myHistory || { trades: [], resolved: [] };
  $("resolved").tBodies[0].replaceChildren(...(hist.resolved.length ? hist.resolved.map((r) => h("tr", { "data-qid": r.question_id },
    h("td", {}, r.title), h("td", {}, r.resolution), h("td", { class: "num" }, money(r.paid_in)), h("td", { class: "num" }, money(r.payout)),
    h("td", { class: "num " + tone(r.profit) }, signed(r.profit)))) : empty(5, "Nothing resolved yet.")));
  $("my-trades").tBodies[0].replaceChildren(...(hist.trades.length ? hist.trades.slice(0, 30).map((t) => h("tr", {},
    h("td", { title: when(t.at) }, ago(t.at)), h("td", {}, t.title),
    h("td", {}, `${t.side === "buy" ? "bought" : "sold"} ${shares(t.shares)} ${t.outcome}` + (t.average_price ? ` at ${pct(t.average_price)}` : "")),
    h("td", { class: "num" }, t.side === "buy" ? "−" + money(t.cost) : "+" + money(-t.cost)))) : empty(4, "No trades yet.")));
  $("host-panel").hidden = !me.is_host;
}

async function cancelOrder(id) {
  try { await api("POST", `/api/orders/${id}/cancel`); await refreshAll(); } catch (err) { alert(err.message); }
}

async function refreshQuestions() {
  try { state.questions = await api("GET", "/api/questions"); renderQuestions(); } catch (_) { /* next update */ }
}

function questionItem(q) {
  const closed = isClosed(q);
  const tag = q.status === "resolved" ? "resolved" : q.status === "cancelled" ? "cancelled" : closed ? "closed" : "";
  const body = q.resolution
    ? h("div", { class: "q-result" }, q.resolution.kind === "cancel" ? "Cancelled" : "Resolved ", h("b", {}, q.resolution.kind === "cancel" ? "" : resolutionText(q.resolution)))
    : q.kind === "binary"
      ? h("div", { class: "q-binary" }, h("span", { class: "q-chance price", "data-outcome": "YES" }, pct(q.outcomes[0].price)), h("span", { class: "muted" }, " chance"))
      : h("div", {}, q.outcomes.map((o, i) => h("div", { class: "outcome" },
          h("span", { class: "name" }, o.name),
          h("div", { class: "meter" }, h("div", { style: `width:${(100 * o.price).toFixed(1)}%;background:${colorOf(q, i)}` })),
          h("span", { class: "price", "data-outcome": o.name }, pct(o.price)))));
  return h("li", { class: "q" + (q.id === state.selected ? " active" : ""), "data-qid": q.id, tabindex: 0,
      onclick: () => selectQuestion(q.id), onkeydown: (e) => { if (e.key === "Enter") selectQuestion(q.id); } },
    h("div", { class: "q-title" }, q.title, tag ? h("span", { class: "q-status " + tag }, tag) : null),
    body,
    h("div", { class: "q-meta" }, [q.status === "open" ? closing(q) : "", trades(q.trades), `volume ${money(q.volume)}`].filter(Boolean).join(" · ")));
}

function renderQuestions() {
  const list = $("questions");
  if (!state.questions.length) { list.replaceChildren(h("li", { class: "muted" }, "No questions yet: the host opens them.")); return; }
  const order = (q) => (q.status === "open" && !isClosed(q) ? 0 : q.status === "open" ? 1 : 2);
  const qs = [...state.questions].sort((a, b) => order(a) - order(b) || b.id - a.id);
  list.replaceChildren(...qs.map(questionItem));
}

async function refreshLeaderboard() {
  try {
    const rows = await api("GET", "/api/leaderboard");
    $("leaderboard").tBodies[0].replaceChildren(...(rows.length ? rows.map((r) => h("tr", { "data-name": r.name, class: state.me && r.name === state.me.name ? "me" : "" },
      h("td", {}, r.rank), h("td", {}, r.name), h("td", { class: "num" }, money(r.value)),
      h("td", { class: "num " + tone(r.profit) }, signed(r.profit)))) : empty(4, "Nobody has joined yet.")));
  } catch (_) { /* next update */ }
}

async function refreshActivity() {
  try {
    const items = await api("GET", "/api/activity?limit=25");
    $("activity").replaceChildren(...(items.length ? items.map((i) => h("li", { class: "feed-" + i.kind },
      h("span", { class: "feed-text" }, i.text), h("span", { class: "feed-q" }, i.kind === "question" ? "" : i.title),
      h("span", { class: "feed-when", title: when(i.at) }, ago(i.at)))) : [h("li", { class: "muted" }, "Nothing yet.")]));
  } catch (_) { /* next update */ }
}

// ---- start ---------------------------------------------------------------------------------
function linkToken() {
  const token = location.hash.includes("token=") ? tokenFrom(location.hash) : "";
  if (token) history.replaceState(null, "", location.pathname);  // the token leaves the address bar
  return token;
}
window.addEventListener("hashchange", () => {  // a link opened on a page that is already open
  const token = linkToken();
  if (token && token !== session.token) { clearStorage(); enter(token); }
});

function start() {
  const fromLink = linkToken();
  if (fromLink) {
    enter(fromLink);
  } else if (session.token) {
    enter(session.token);
  } else {
    showJoin("");
  }
  setInterval(() => { if (session.token && !document.hidden) { renderQuestions(); } }, 30000);  // "closes in" stays true
  setInterval(() => { if (session.token && !document.hidden) refreshAll(); }, 15000);  // a safety net behind the events
}
start();
