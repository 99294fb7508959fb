// benchcast market page: plain JS, no build step. Polls the REST API (prices at most ~1 s stale).
"use strict";

const $ = (id) => document.getElementById(id);
const COLORS = ["#2f6fed", "#e0662b", "#128a4a", "#9b3fd1", "#c2362b", "#0f9fb3", "#b38a0f", "#555"];
const state = { token: localStorage.getItem("benchcast-token"), me: null, questions: [], selected: null, pendingQuote: null };

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) el.setAttribute(k, v);
  }
  for (const c of children.flat()) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}
const money = (x) => (x ?? 0).toFixed(2);
const pct = (p) => (100 * p).toFixed(1) + "%";
const signed = (x) => (x >= 0 ? "+" : "") + money(x);

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (state.token) headers.Authorization = "Bearer " + state.token;
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await r.json(); } catch (_) { /* empty body */ }
  if (!r.ok) {
    const err = new Error((data && data.detail) || r.statusText || "request failed");
    err.status = r.status;
    throw err;
  }
  return data;
}

// ---- joining -------------------------------------------------------------------------------
$("join-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("join-error").textContent = "";
  try {
    const out = await api("POST", "/api/join", { name: $("join-name").value, invite: $("join-invite").value || null });
    setToken(out.token);
  } catch (err) { $("join-error").textContent = err.message; }
});
$("token-form").addEventListener("submit", (e) => { e.preventDefault(); setToken($("token-input").value.trim()); });
$("logout").addEventListener("click", () => { localStorage.removeItem("benchcast-token"); state.token = null; state.me = null; show(); });

function setToken(token) {
  state.token = token;
  localStorage.setItem("benchcast-token", token);
  refreshMe().then(show);
}

function show() {
  const inside = Boolean(state.token && state.me);
  $("join-panel").hidden = inside;
  $("app").hidden = !inside;
  $("me-summary").hidden = !inside;
  $("host-panel").hidden = !(inside && state.me.is_host);
}

// ---- polling -------------------------------------------------------------------------------
async function refreshMe() {
  if (!state.token) return;
  try {
    state.me = await api("GET", "/api/me");
    renderMe();
  } catch (err) {
    if (err.status === 401) { state.token = null; localStorage.removeItem("benchcast-token"); state.me = null; $("join-error").textContent = "Your token is not valid here: join again."; }
  }
}

async function refreshQuestions() {
  try {
    state.questions = await api("GET", "/api/questions");
    renderQuestions();
    $("stale").textContent = "live · " + new Date().toLocaleTimeString();
    if (state.selected) renderDetailHead();
  } catch (err) { $("stale").textContent = "offline: " + err.message; }
}

async function refreshLeaderboard() {
  try {
    const rows = await api("GET", "/api/leaderboard");
    const body = $("leaderboard").tBodies[0];
    body.replaceChildren(...rows.map((r) => h("tr", { "data-name": r.name },
      h("td", {}, r.rank), h("td", {}, r.name), h("td", { class: "num" }, money(r.value)),
      h("td", { class: "num " + (r.profit >= 0 ? "pos" : "neg") }, signed(r.profit)))));
  } catch (_) { /* next poll */ }
}

async function refreshHistory() {
  if (!state.selected) return;
  try { drawChart(await api("GET", `/api/questions/${state.selected}/history`)); } catch (_) { /* next poll */ }
}

// ---- rendering -----------------------------------------------------------------------------
function renderMe() {
  const me = state.me;
  if (!me) return;
  $("me-name").textContent = me.name + (me.is_host ? " (host)" : "");
  $("me-balance").textContent = money(me.balance);
  $("me-value").textContent = money(me.value);
  $("me-profit").textContent = signed(me.profit);
  $("positions").tBodies[0].replaceChildren(...(me.positions.length ? me.positions.map((p) => h("tr", {},
    h("td", {}, p.title), h("td", {}, p.outcome), h("td", { class: "num" }, p.shares.toFixed(3)),
    h("td", { class: "num" }, money(p.value)))) : [h("tr", {}, h("td", { colspan: 4, class: "muted" }, "No positions yet."))]));
  $("open-orders").tBodies[0].replaceChildren(...(me.open_orders.length ? me.open_orders.map((o) => h("tr", {},
    h("td", {}, o.title), h("td", {}, `${o.side} ${o.outcome} ` + (o.side === "buy" ? `for ${money(o.remaining)} of ${money(o.amount)}` : `${o.remaining} of ${o.shares} sh`)),
    h("td", { class: "num" }, o.limit_price), h("td", {}, h("button", { class: "link", onclick: () => cancelOrder(o.order_id) }, "cancel"))))
    : [h("tr", {}, h("td", { colspan: 4, class: "muted" }, "None."))]));
  $("host-panel").hidden = !me.is_host;
}

function renderQuestions() {
  const list = $("questions");
  if (!state.questions.length) { list.replaceChildren(h("li", { class: "muted" }, "No questions yet. The host opens them.")); return; }
  list.replaceChildren(...state.questions.map((q) => h("li", {
      class: "q" + (q.id === state.selected ? " active" : ""), "data-qid": q.id, onclick: () => select(q.id) },
    h("div", { class: "q-title" }, q.title, h("span", { class: "q-status" }, q.status === "open" ? "" : q.status)),
    q.outcomes.map((o, i) => h("div", { class: "outcome" },
      h("span", { class: "name" }, o.name),
      h("div", { class: "meter" }, h("div", { style: `width:${(100 * o.price).toFixed(1)}%;background:${COLORS[i % COLORS.length]}` })),
      h("span", { class: "price", "data-outcome": o.name }, pct(o.price)))))));
}

function current() { return state.questions.find((q) => q.id === state.selected); }

function select(id) {
  state.selected = id;
  const q = current();
  $("detail").hidden = false;
  $("t-outcome").replaceChildren(...q.outcomes.map((o) => h("option", { value: o.name }, o.name)));
  $("r-outcome").replaceChildren(...q.outcomes.map((o) => h("option", { value: o.name }, o.name)));
  syncSide();
  $("ticket-msg").textContent = "";
  $("resolve-msg").textContent = "";
  renderDetailHead();
  renderQuestions();
  refreshHistory();
  $("detail").scrollIntoView({ behavior: "smooth", block: "nearest" });
}

function renderDetailHead() {
  const q = current();
  if (!q) return;
  $("detail-title").textContent = q.title;
  const res = q.resolution ? ` · resolved: ${q.resolution.kind}${q.resolution.outcome ? " " + q.resolution.outcome : ""}${q.resolution.probability != null ? " " + q.resolution.probability : ""}` : "";
  $("detail-meta").textContent = `${q.kind.replace("_", " ")} · ${q.mechanism.toUpperCase()} · subsidy ${money(q.subsidy)} · ${q.trades} trades · volume ${money(q.volume)}${q.closes_at ? " · closes " + new Date(q.closes_at).toLocaleString() : ""}${res}`;
  renderLink(q.link);
  const isOpen = q.status === "open";
  $("ticket").hidden = !isOpen;
  $("host-resolve").hidden = !(state.me && state.me.is_host && isOpen);
  $("r-prob").parentElement.hidden = q.outcomes.length !== 2;
}

// A data-linked question: how it resolves, the model's opening forecast, the evidence once decided.
function renderLink(link) {
  const box = $("detail-link");
  box.hidden = !link;
  if (!link) return;
  const rule = link.kind === "leader"
    ? `Resolves from the data: the ${link.leader} leading open weights on ${link.metric} at ${link.at} (decided ${link.grace_days} days later).`
    : `Resolves from the data: ${link.benchmark} >= ${link.threshold}% by ${link.by}, ${link.series} series, ${link.settings.replace("_", "-")} settings, ${link.grace_days} days' grace.`;
  const kids = [h("p", {}, rule)];
  if (link.model_forecast) kids.push(h("p", {}, `Model at opening: ${link.model_forecast.map((p) => p.toFixed(3)).join(" / ")}`));
  if (link.evidence) {
    kids.push(h("p", {}, `Resolved ${link.decided} from the data: ${link.evidence.reason}`));
    kids.push(h("ul", {}, ...link.evidence.rows.map((e) => h("li", {}, `${e.model} · ${e.date} · ${e.score} · ${e.provenance || "?"} · ${e.origin}`))));
  }
  box.replaceChildren(...kids);
}

function drawChart(hist) {
  const svg = $("chart");
  const W = 600, H = 220, pad = 6;
  const pts = hist.points;
  const n = pts.length;
  const x = (i) => pad + (n <= 1 ? 0 : (i * (W - 2 * pad)) / (n - 1));
  const y = (p) => H - pad - p * (H - 2 * pad);
  const ns = "http://www.w3.org/2000/svg";
  const kids = [];
  for (const g of [0.25, 0.5, 0.75]) {
    const line = document.createElementNS(ns, "line");
    Object.entries({ x1: 0, x2: W, y1: y(g), y2: y(g), stroke: "#e3e6ec", "stroke-dasharray": "4 4" }).forEach(([k, v]) => line.setAttribute(k, v));
    kids.push(line);
  }
  hist.outcomes.forEach((name, k) => {
    const path = document.createElementNS(ns, "polyline");
    const coords = n === 1 ? [`${x(0)},${y(pts[0].prices[k])}`, `${W - pad},${y(pts[0].prices[k])}`] : pts.map((p, i) => `${x(i).toFixed(1)},${y(p.prices[k]).toFixed(1)}`);
    path.setAttribute("points", coords.join(" "));
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", COLORS[k % COLORS.length]);
    path.setAttribute("stroke-width", "2");
    path.setAttribute("vector-effect", "non-scaling-stroke");
    kids.push(path);
  });
  svg.replaceChildren(...kids);
  svg.dataset.points = String(n);
  const last = pts[n - 1].prices;
  $("chart-legend").replaceChildren(...hist.outcomes.map((name, k) => h("span", {}, h("i", { style: `background:${COLORS[k % COLORS.length]}` }), `${name} ${pct(last[k])}`)));
}

// ---- order ticket --------------------------------------------------------------------------
function held() {
  const p = state.me && state.me.positions.find((x) => x.question_id === state.selected && x.outcome === $("t-outcome").value);
  return p ? p.shares : 0;
}
function syncSide() {
  const selling = $("t-side").value === "sell";
  $("t-size-label").textContent = selling ? "Shares to sell" : "Amount to spend";
  $("t-all").hidden = !(selling && held() > 0);
  $("t-all").textContent = `all ${held().toFixed(6)}`;
  clearQuote();
}
$("t-side").addEventListener("change", syncSide);
$("t-outcome").addEventListener("change", syncSide);
$("t-all").addEventListener("click", () => { $("t-size").value = held().toFixed(6); clearQuote(); });
for (const id of ["t-outcome", "t-size", "t-limit", "t-resting"]) $(id).addEventListener("input", clearQuote);
$("t-cancel").addEventListener("click", clearQuote);

function clearQuote() { state.pendingQuote = null; $("quote").hidden = true; $("t-quote").hidden = false; }

function ticketOrder() {
  const side = $("t-side").value;
  const size = parseFloat($("t-size").value);
  const order = { outcome: $("t-outcome").value, side };
  if (side === "buy") order.amount = size; else order.shares = size;
  const limit = $("t-limit").value;
  if (limit !== "") order.limit_price = parseFloat(limit);
  if ($("t-resting").checked) order.resting = true;
  return order;
}

$("ticket").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("ticket-msg").textContent = "";
  const order = ticketOrder();
  try {
    const q = await api("POST", `/api/questions/${state.selected}/quote`, order);
    const verb = order.side === "buy" ? "pay" : "receive";
    const avg = q.average_price ? ` (average ${q.average_price.toFixed(4)})` : "";
    let text = `You would ${order.side} ${q.shares.toFixed(4)} ${order.outcome} shares and ${verb} ${money(Math.abs(q.cost))}${avg}. ` +
      `Price of ${order.outcome} after: ${pct(q.prices_after[current().outcomes.findIndex((o) => o.name === order.outcome)])}.`;
    if (order.resting) text = (q.fills_now ? "Part fills now: " + text : "Nothing fills now; the order rests") + ` until the price reaches ${order.limit_price}.`;
    $("quote-text").textContent = text;
    state.pendingQuote = { order, key: crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now() };
    $("quote").hidden = false;
    $("t-quote").hidden = true;
  } catch (err) { $("ticket-msg").textContent = err.message; $("ticket-msg").className = "error"; }
});

$("t-confirm").addEventListener("click", async () => {
  if (!state.pendingQuote) return;
  const { order, key } = state.pendingQuote;
  $("t-confirm").disabled = true;
  try {
    const out = await api("POST", `/api/questions/${state.selected}/orders`, { ...order, idempotency_key: key });
    $("ticket-msg").className = "ok";
    $("ticket-msg").textContent = out.status === "resting"
      ? `Order ${out.order_id} rests.` : `Done: ${order.side === "buy" ? "bought" : "sold"} ${out.shares.toFixed(4)} shares for ${money(Math.abs(out.cost))}.`;
    clearQuote();
    $("t-size").value = "";
    await Promise.all([refreshQuestions(), refreshMe(), refreshLeaderboard(), refreshHistory()]);
  } catch (err) { $("ticket-msg").className = "error"; $("ticket-msg").textContent = err.message; }
  finally { $("t-confirm").disabled = false; }
});

async function cancelOrder(id) {
  try { await api("POST", `/api/orders/${id}/cancel`); await refreshMe(); } catch (err) { alert(err.message); }
}

// ---- host ----------------------------------------------------------------------------------
$("c-kind").addEventListener("change", () => { $("c-outcomes-label").hidden = $("c-kind").value !== "multiple_choice"; });
$("create-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const kind = $("c-kind").value;
  const list = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);
  const body = { title: $("c-title").value, kind, mechanism: $("c-mech").value, subsidy: parseFloat($("c-subsidy").value) };
  if (kind === "multiple_choice") body.outcomes = list($("c-outcomes").value);
  if ($("c-prices").value.trim()) body.initial_prices = list($("c-prices").value).map(Number);
  if ($("c-closes").value) body.closes_at = new Date($("c-closes").value).toISOString();
  try {
    const q = await api("POST", "/api/questions", body);
    $("create-msg").className = "ok";
    $("create-msg").textContent = `Opened question ${q.id}.`;
    $("create-form").reset();
    $("c-outcomes-label").hidden = true;
    await refreshQuestions();
  } catch (err) { $("create-msg").className = "error"; $("create-msg").textContent = err.message; }
});

async function resolve(body, confirmText) {
  if (!confirm(confirmText)) return;
  try {
    await api("POST", `/api/questions/${state.selected}/resolve`, body);
    $("resolve-msg").className = "ok";
    $("resolve-msg").textContent = "Resolved.";
    await Promise.all([refreshQuestions(), refreshMe(), refreshLeaderboard()]);
  } catch (err) { $("resolve-msg").className = "error"; $("resolve-msg").textContent = err.message; }
}
$("r-outcome-go").addEventListener("click", () => resolve({ outcome: $("r-outcome").value }, `Resolve to ${$("r-outcome").value}?`));
$("r-prob-go").addEventListener("click", () => resolve({ probability: parseFloat($("r-prob").value) }, `Resolve to P(YES) = ${$("r-prob").value}?`));
$("r-cancel").addEventListener("click", () => resolve({ cancel: true }, "Cancel this market and refund everyone?"));
$("detail-close").addEventListener("click", () => { state.selected = null; $("detail").hidden = true; renderQuestions(); });

// ---- start ---------------------------------------------------------------------------------
async function tick() {
  await refreshQuestions();
  if (state.token) await refreshMe();
  show();
}
tick();
setInterval(() => { if (!document.hidden) tick(); }, 1000);
setInterval(() => { if (!document.hidden && state.me) { refreshLeaderboard(); refreshHistory(); } }, 2000);
refreshLeaderboard();
