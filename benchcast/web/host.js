// The host's controls: opening questions and looking after players (links, removal).
import { $, api, h, money, say } from "./lib.js";
import { state } from "./question.js";

const refresh = () => import("./app.js").then((m) => m.refreshAll());

export async function refreshPlayers() {
  if (!state.me || !state.me.is_host) return;
  try {
    const rows = await api("GET", "/api/players");
    $("players").tBodies[0].replaceChildren(...rows.filter((p) => !p.is_host).map((p) => h("tr", { "data-name": p.name },
      h("td", {}, p.name, p.is_removed ? h("span", { class: "muted" }, " (removed)") : ""), h("td", { class: "num" }, money(p.cash)),
      h("td", { class: "actions" }, p.is_removed ? "" : [
        h("button", { class: "link", type: "button", onclick: () => reissue(p.name) }, "new link"),
        h("button", { class: "link", type: "button", onclick: () => removePlayer(p.name) }, "remove")]))));
  } catch (_) { /* next update */ }
}

async function reissue(name) {
  if (!confirm(`Give ${name} a new link? Their old link stops working.`)) return;
  try {
    const out = await api("POST", `/api/players/${encodeURIComponent(name)}/reissue`);
    say($("players-msg"), `New link for ${out.name} (send it to them): ${location.origin}/#token=${out.token}`, true);
  } catch (err) { say($("players-msg"), err.message, false); }
}

async function removePlayer(name) {
  if (!confirm(`Remove ${name}? Their link stops working and they leave the leaderboard.`)) return;
  try { await api("DELETE", `/api/players/${encodeURIComponent(name)}`); say($("players-msg"), `${name} was removed.`, true); await refresh(); }
  catch (err) { say($("players-msg"), err.message, false); }
}

$("c-kind").addEventListener("change", () => { $("c-outcomes-label").hidden = $("c-kind").value !== "multiple_choice"; });
$("create-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const kind = $("c-kind").value;
  const list = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);
  const body = { title: $("c-title").value, kind, mechanism: $("c-mech").value, subsidy: parseFloat($("c-subsidy").value),
    description: $("c-description").value, criteria: $("c-criteria").value };
  if (kind === "multiple_choice") body.outcomes = list($("c-outcomes").value);
  if ($("c-prices").value.trim()) body.initial_prices = list($("c-prices").value).map(Number);
  if ($("c-closes").value) body.closes_at = new Date($("c-closes").value).toISOString();
  try {
    const q = await api("POST", "/api/questions", body);
    say($("create-msg"), `Opened question ${q.id}.`, true);
    $("create-form").reset();
    $("c-outcomes-label").hidden = true;
    await refresh();
  } catch (err) { say($("create-msg"), err.message, false); }
});
