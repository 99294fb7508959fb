// Small helpers of the market page: DOM building, number and time formats, the API call.
export const $ = (id) => document.getElementById(id);
export const COLORS = ["#1f77b4", "#d9534f", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#555"];
export const BINARY_COLORS = { YES: "#11845b", NO: "#c2362b" };

export function colorOf(q, i) {
  return q.kind === "binary" ? BINARY_COLORS[q.outcomes[i].name] : COLORS[i % COLORS.length];
}

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") el.className = v;
    else if (k === "style") el.style.cssText = v;  // through the CSSOM: the page's CSP forbids style attributes
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) el.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

export const money = (x) => (x ?? 0).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
export const signed = (x) => { const c = Math.round(100 * (x ?? 0)) / 100; return (c >= 0 ? "+" : "−") + money(Math.abs(c)); };
export const tone = (x) => (Math.round(100 * (x ?? 0)) >= 0 ? "pos" : "neg");
export const pct = (p) => (100 * p >= 99.5 || 100 * p < 0.5 || Math.abs(100 * p - Math.round(100 * p)) < 0.05 ? (100 * p).toFixed(0) : (100 * p).toFixed(1)) + "%";
export const shares = (x) => x.toLocaleString("en-US", { maximumFractionDigits: 2 });

function span(ms) {
  const s = Math.abs(ms) / 1000;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  if (s < 60 * 86400) return `${Math.round(s / 86400)} days`;
  return `${Math.round(s / (30.44 * 86400))} months`;
}
export const when = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
export const ago = (iso) => span(Date.now() - new Date(iso).getTime()) + " ago";

/** "1 trade", "2 trades". */
export const trades = (n) => `${n} ${n === 1 ? "trade" : "trades"}`;

/** "closes in 3 days (Dec 31, 2027, 12:00 AM)" or "closed 2 h ago (...)"; "" without a close time. */
export function closing(q) {
  if (!q.closes_at) return "";
  const left = new Date(q.closes_at).getTime() - Date.now();
  return left > 0 ? `closes in ${span(left)} (${when(q.closes_at)})` : `closed ${span(left)} ago (${when(q.closes_at)})`;
}
export const isClosed = (q) => q.status === "open" && (q.is_closed || (q.closes_at && new Date(q.closes_at).getTime() <= Date.now()));

export function resolutionText(res) {
  if (!res) return "";
  if (res.kind === "cancel") return "Cancelled: everyone got their money back";
  if (res.outcome) return res.outcome;
  if (Array.isArray(res.probability)) return res.probability.map((p) => pct(p)).join(" / ");
  return `${pct(res.probability)} YES`;
}

export const session = { token: localStorage.getItem("benchcast-token") };

export async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (session.token) headers.Authorization = "Bearer " + session.token;
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

export function say(el, text, ok) {
  el.textContent = ok ? text : text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?)]$/.test(text) ? "" : ".");
  el.className = ok ? "ok" : "error";
}

export const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now());
