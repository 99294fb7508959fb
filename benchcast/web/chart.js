// The price chart: a step line per outcome over real time, percent ticks, time ticks, hover.
import { colorOf, h, pct } from "./lib.js";

const NS = "http://www.w3.org/2000/svg";
const MIN = 60e3, HOUR = 60 * MIN, DAY = 24 * HOUR;
const STEPS = [10e3, 30e3, MIN, 5 * MIN, 15 * MIN, 30 * MIN, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 30 * DAY, 91 * DAY, 365 * DAY];

function el(tag, attrs) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function timeTicks(t0, t1, maxTicks) {
  const step = STEPS.find((s) => (t1 - t0) / s <= maxTicks) || STEPS[STEPS.length - 1];
  const offset = new Date().getTimezoneOffset() * MIN;  // ticks on local midnights and hours
  const first = Math.ceil((t0 - offset) / step) * step + offset;
  const ticks = [];
  for (let t = first; t <= t1; t += step) ticks.push(t);
  const label = step >= DAY ? { month: "short", day: "numeric" } : step >= MIN ? { hour: "2-digit", minute: "2-digit" }
    : { hour: "2-digit", minute: "2-digit", second: "2-digit" };
  return ticks.map((t) => [t, new Date(t).toLocaleString(undefined, label)]);
}

/** Draw `hist` ({outcomes, points: [{t, prices}]}) of question `q` into the chart box. */
export function drawChart(q, hist, { svg, tip, legend, end, final }) {
  const W = Math.max(280, svg.clientWidth || 600), H = 240;
  const L = 44, R = 12, T = 10, B = 26;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const pts = hist.points.map((p) => ({ t: new Date(p.t).getTime(), prices: p.prices }));
  const t0 = pts[0].t, t1 = Math.max(end || Date.now(), pts[pts.length - 1].t, t0 + 30e3);
  const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
  const y = (p) => T + (1 - p) * (H - T - B);
  const kids = [];
  for (const g of [0, 0.25, 0.5, 0.75, 1]) {
    kids.push(el("line", { x1: L, x2: W - R, y1: y(g), y2: y(g), class: g === 0 ? "axis" : "grid" }));
    const label = el("text", { x: L - 6, y: y(g) + 4, "text-anchor": "end", class: "tick" });
    label.textContent = pct(g);
    kids.push(label);
  }
  for (const [t, text] of timeTicks(t0, t1, Math.max(2, Math.floor((W - L - R) / 90)))) {
    kids.push(el("line", { x1: x(t), x2: x(t), y1: H - B, y2: H - B + 4, class: "axis" }));
    const label = el("text", { x: x(t), y: H - 6, "text-anchor": "middle", class: "tick" });
    label.textContent = text;
    kids.push(label);
  }
  const shown = q.kind === "binary" ? [0] : hist.outcomes.map((_, k) => k);
  for (const k of shown) {
    let d = `M${x(pts[0].t).toFixed(1)},${y(pts[0].prices[k]).toFixed(1)}`;
    for (const p of pts.slice(1)) d += `H${x(p.t).toFixed(1)}V${y(p.prices[k]).toFixed(1)}`;
    d += `H${x(t1).toFixed(1)}`;
    kids.push(el("path", { d, fill: "none", stroke: colorOf(q, k), "stroke-width": 2.2 }));
  }
  const cursor = el("line", { x1: 0, x2: 0, y1: T, y2: H - B, class: "cursor", visibility: "hidden" });
  kids.push(cursor);
  svg.replaceChildren(...kids);
  svg.dataset.points = String(pts.length);

  const move = (ev) => {
    const box = svg.getBoundingClientRect();
    const px = ((ev.clientX - box.left) / box.width) * W;
    if (px < L || px > W - R) { hide(); return; }
    const t = t0 + ((px - L) / (W - L - R)) * (t1 - t0);
    let at = pts[0];
    for (const p of pts) if (p.t <= t) at = p;
    cursor.setAttribute("x1", px); cursor.setAttribute("x2", px); cursor.setAttribute("visibility", "visible");
    tip.replaceChildren(h("div", { class: "tip-time" }, new Date(t).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })),
      ...shown.map((k) => h("div", {}, h("i", { style: `background:${colorOf(q, k)}` }), `${hist.outcomes[k]} ${pct(at.prices[k])}`)));
    tip.hidden = false;
    const left = (px / W) * box.width;
    tip.style.left = `${Math.min(Math.max(left - tip.offsetWidth / 2, 0), box.width - tip.offsetWidth)}px`;
  };
  const hide = () => { tip.hidden = true; cursor.setAttribute("visibility", "hidden"); };
  svg.onpointermove = move;
  svg.onpointerdown = move;
  svg.onpointerleave = hide;

  const last = pts[pts.length - 1].prices;
  legend.replaceChildren(final ? h("span", { class: "muted" }, "last prices:") : "", ...hist.outcomes.map((name, k) => h("span", {}, h("i", { style: `background:${colorOf(q, k)}` }), `${name} ${pct(last[k])}`)));
}
