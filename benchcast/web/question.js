// One question: headline, chart, one-click buys and the full ticket, payouts, comments, resolve.
import { drawChart } from "./chart.js";
import { $, ago, api, closing, colorOf, h, isClosed, money, newKey, pct, resolutionText, say, shares, signed, tone, trades, when } from "./lib.js";

export const state = { me: null, questions: [], selected: null, myHistory: null, pendingQuote: null, hist: null };
const current = () => state.questions.find((q) => q.id === state.selected);
const refresh = () => import("./app.js").then((m) => m.refreshAll());

export function selectQuestion(id) {
  const changed = state.selected !== id;
  state.selected = id;
  const q = current();
  if (!q) return;
  $("detail").hidden = false;
  $("pick").hidden = true;
  if (changed) {
    state.hist = null;
    for (const m of ["trade-msg", "resolve-msg", "comment-msg"]) $(m).textContent = "";
    $("t-outcome").replaceChildren(...q.outcomes.map((o) => h("option", { value: o.name }, o.name)));
    $("r-outcome").replaceChildren(...q.outcomes.map((o) => h("option", { value: o.name }, o.name)));
    $("comments").replaceChildren();
    $("ticket-box").open = false;
    syncSide();
  }
  for (const li of document.querySelectorAll("#questions li.q")) li.classList.toggle("active", Number(li.dataset.qid) === id);
  renderDetail();
  refreshDetail();
  $("detail").scrollIntoView({ behavior: "smooth", block: "start" });
}

export async function refreshDetail() {
  const id = state.selected;
  if (!id) return;
  try {
    const [hist, comments, payouts] = await Promise.all([
      api("GET", `/api/questions/${id}/history`), api("GET", `/api/questions/${id}/comments`), api("GET", `/api/questions/${id}/payouts`)]);
    if (id !== state.selected) return;
    state.hist = hist;
    renderDetail();
    renderComments(comments);
    renderPayouts(payouts);
  } catch (_) { /* next update */ }
}

function renderDetail() {
  const q = current();
  if (!q) return;
  const closed = isClosed(q), open = q.status === "open" && !closed;
  $("detail-title").textContent = q.title;
  $("resolved-banner").hidden = !q.resolution;
  if (q.resolution) {
    $("resolved-banner").replaceChildren(q.resolution.kind === "cancel" ? h("b", {}, resolutionText(q.resolution))
      : h("span", {}, "Resolved ", h("b", { class: "winner" }, resolutionText(q.resolution))), h("span", { class: "muted" }, ` · ${when(q.resolution.at)}`));
  }
  const lead = q.kind === "binary" ? 0 : q.outcomes.reduce((best, o, i) => (o.price > q.outcomes[best].price ? i : best), 0);
  $("big-prob").textContent = q.resolution ? "" : pct(q.outcomes[lead].price);
  $("big-prob").style.color = colorOf(q, lead);
  $("big-label").textContent = q.resolution ? "" : q.kind === "binary" ? " chance of YES" : ` ${q.outcomes[lead].name} leads`;
  $("detail-meta").textContent = [q.kind === "binary" ? "yes / no" : `${q.outcomes.length} outcomes`, q.mechanism.toUpperCase(),
    trades(q.trades), `volume ${money(q.volume)}`, q.status === "open" ? closing(q) : "", `opened ${ago(q.created_at)}`].filter(Boolean).join(" · ");
  $("closed-note").hidden = !closed;
  $("closed-note").textContent = closed ? `Trading stopped at the close (${when(q.closes_at)}); the host resolves it next.` : "";
  $("trade-box").hidden = !open;
  renderQuick(q);
  $("description").innerHTML = q.description_html || "<p class=\"muted\">No description.</p>";  // rendered server-side without raw HTML
  $("criteria").textContent = q.criteria || "The host decides.";
  renderLink(q.link);
  $("host-resolve").hidden = !(state.me && state.me.is_host && q.status === "open");
  $("r-prob-row").hidden = q.outcomes.length !== 2;
  $("comment-form").hidden = !state.me;
  if (state.hist) {
    const end = q.resolution ? new Date(q.resolution.at).getTime() : closed ? new Date(q.closes_at).getTime() : undefined;
    drawChart(q, state.hist, { svg: $("chart"), tip: $("chart-tip"), legend: $("chart-legend"), end, final: Boolean(q.resolution) });
  }
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

function renderQuick(q) {
  const box = $("quick-buttons");
  if (box.dataset.qid === String(q.id) && box.children.length === q.outcomes.length) {
    q.outcomes.forEach((o, i) => { box.children[i].querySelector(".p").textContent = pct(o.price); });
    return;
  }
  box.dataset.qid = String(q.id);
  box.replaceChildren(...q.outcomes.map((o, i) => h("button", {
    type: "button", class: "buy", "data-outcome": o.name, style: `--c:${colorOf(q, i)}`, onclick: () => quickBuy(o.name) },
    `Buy ${o.name} `, h("span", { class: "p" }, pct(o.price)))));
}

async function quickBuy(outcome) {
  const amount = parseFloat($("q-amount").value);
  if (!(amount > 0)) { say($("trade-msg"), "Enter an amount above 0 to buy.", false); return; }
  for (const b of $("quick-buttons").children) b.disabled = true;
  try {
    const out = await api("POST", `/api/questions/${state.selected}/orders`, { outcome, side: "buy", amount, idempotency_key: newKey() });
    const i = current().outcomes.findIndex((o) => o.name === outcome);
    say($("trade-msg"), `Bought ${shares(out.shares)} ${outcome} shares for ${money(out.cost)}` +
      (out.average_price ? ` (${pct(out.average_price)} each on average)` : "") + `. ${outcome} is now ${pct(out.prices_after[i])}.`, true);
    await refresh();
  } catch (err) { say($("trade-msg"), err.message, false); }
  finally { for (const b of $("quick-buttons").children) b.disabled = false; }
}

// ---- the full ticket -----------------------------------------------------------------------
function held() {
  const p = state.me && state.me.positions.find((x) => x.question_id === state.selected && x.outcome === $("t-outcome").value);
  return p ? p.shares : 0;
}
function syncSide() {
  const selling = $("t-side").value === "sell";
  $("t-size-label").textContent = selling ? "Shares to sell" : "Amount to spend";
  $("t-all").hidden = !(selling && held() > 0);
  $("t-all").textContent = `all ${shares(held())}`;
  clearQuote();
}
function clearQuote() { state.pendingQuote = null; $("quote").hidden = true; $("t-quote").hidden = false; }
$("t-side").addEventListener("change", syncSide);
$("t-outcome").addEventListener("change", syncSide);
$("t-all").addEventListener("click", () => { $("t-size").value = String(held()); clearQuote(); });
for (const id of ["t-size", "t-limit", "t-resting"]) $(id).addEventListener("input", clearQuote);
$("t-cancel").addEventListener("click", clearQuote);

function ticketOrder() {
  const side = $("t-side").value, size = parseFloat($("t-size").value);
  const order = { outcome: $("t-outcome").value, side };
  if (side === "buy") order.amount = size; else order.shares = size;
  if ($("t-limit").value !== "") order.limit_price = parseFloat($("t-limit").value);
  if ($("t-resting").checked) order.resting = true;
  return order;
}

$("ticket").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("trade-msg").textContent = "";
  const order = ticketOrder();
  try {
    const q = await api("POST", `/api/questions/${state.selected}/quote`, order);
    const i = current().outcomes.findIndex((o) => o.name === order.outcome);
    let text = `You would ${order.side} ${shares(q.shares)} ${order.outcome} shares and ${order.side === "buy" ? "pay" : "receive"} ${money(Math.abs(q.cost))}` +
      (q.average_price ? ` (${pct(q.average_price)} each on average)` : "") + `. ${order.outcome} would then be ${pct(q.prices_after[i])}.`;
    if (order.resting) text = (q.fills_now ? "Part fills now: " + text : "Nothing fills now; the order waits") + ` until the price reaches ${pct(order.limit_price)}.`;
    $("quote-text").textContent = text;
    state.pendingQuote = { order, key: newKey() };
    $("quote").hidden = false;
    $("t-quote").hidden = true;
  } catch (err) { say($("trade-msg"), err.message, false); }
});

$("t-confirm").addEventListener("click", async () => {
  if (!state.pendingQuote) return;
  const { order, key } = state.pendingQuote;
  $("t-confirm").disabled = true;
  try {
    const out = await api("POST", `/api/questions/${state.selected}/orders`, { ...order, idempotency_key: key });
    say($("trade-msg"), out.status === "resting" ? `Your limit order waits (order ${out.order_id}).`
      : `Done: ${order.side === "buy" ? "bought" : "sold"} ${shares(out.shares)} ${order.outcome} shares for ${money(Math.abs(out.cost))}.`, true);
    clearQuote();
    $("t-size").value = "";
    await refresh();
  } catch (err) { say($("trade-msg"), err.message, false); }
  finally { $("t-confirm").disabled = false; }
});

// ---- payouts, comments, resolving ----------------------------------------------------------
function renderPayouts(rows) {
  $("payouts-box").hidden = !rows.length;
  $("payouts").tBodies[0].replaceChildren(...rows.map((r) => h("tr", { "data-name": r.name },
    h("td", {}, r.name), h("td", { class: "num" }, money(r.paid_in)), h("td", { class: "num" }, money(r.payout)),
    h("td", { class: "num " + tone(r.profit) }, signed(r.profit)))));
}

function renderComments(rows) {
  $("comments").replaceChildren(...(rows.length ? rows.map((c) => h("li", { "data-id": c.id },
    h("div", { class: "c-head" }, h("b", {}, c.name), h("span", { class: "muted", title: when(c.at) }, " · " + ago(c.at))),
    h("div", { class: "c-body" }, c.body))) : [h("li", { class: "muted" }, "No comments yet.")]));
}

$("comment-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    await api("POST", `/api/questions/${state.selected}/comments`, { body: $("comment-body").value });
    $("comment-body").value = "";
    $("comment-msg").textContent = "";
    await refreshDetail();
  } catch (err) { say($("comment-msg"), err.message, false); }
});

async function resolve(body, question) {
  if (!confirm(question)) return;
  try {
    await api("POST", `/api/questions/${state.selected}/resolve`, body);
    say($("resolve-msg"), "Resolved: everyone has been paid.", true);
    await refresh();
  } catch (err) { say($("resolve-msg"), err.message, false); }
}
$("r-outcome-go").addEventListener("click", () => resolve({ outcome: $("r-outcome").value }, `Resolve to ${$("r-outcome").value}? Everyone is paid at once; this cannot be undone.`));
$("r-prob-go").addEventListener("click", () => resolve({ probability: parseFloat($("r-prob").value) }, `Resolve to P(YES) = ${$("r-prob").value}?`));
$("r-cancel").addEventListener("click", () => resolve({ cancel: true }, "Cancel this market and give everyone their money back?"));
$("detail-close").addEventListener("click", () => {
  state.selected = null;
  $("detail").hidden = true;
  $("pick").hidden = false;
  for (const li of document.querySelectorAll("#questions li.q")) li.classList.remove("active");
});
window.addEventListener("resize", () => { if (state.selected && state.hist) renderDetail(); });
